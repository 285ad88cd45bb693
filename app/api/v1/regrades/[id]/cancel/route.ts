import { regradeForCaller, SET_FIELDS } from "@/lib/classroom/regrades/access";
import { cancelRegrade } from "@/lib/classroom/regrades/cancel";
import { regradeProgress } from "@/lib/classroom/regrades/progress";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * POST /api/v1/regrades/:id/cancel -> {...progress, status: "cancelled"}
 * (teachers): the set is never applied; its queued gradings leave the queue
 * and running ones are stopped. Cancelling again answers the same; 409
 * regrade_closed for a set already applied.
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const { set, access } = await regradeForCaller(request, (await params).id, "author");
  await cancelRegrade({ id: set.id, assignmentId: set.assignmentId, courseId: access.course.id });
  const [progress] = await regradeProgress(db, [await db.regradeSet.findUniqueOrThrow({ where: { id: set.id }, select: SET_FIELDS })]);
  return Response.json(progress, { headers: { "cache-control": "no-store" } });
});
