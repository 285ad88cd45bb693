import { regradeForCaller, SET_FIELDS } from "@/lib/classroom/regrades/access";
import { applyRegrade } from "@/lib/classroom/regrades/apply";
import { regradeProgress } from "@/lib/classroom/regrades/progress";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * POST /api/v1/regrades/:id/apply -> {...progress, status: "applied",
 * switched, kept} (teachers): every submission whose re-grade finished counts
 * the new grading from now on, all in one transaction; a submission whose
 * re-grade run failed keeps its grading (`kept`). 409 regrade_not_ready while
 * gradings are queued or running, 409 regrade_closed once applied or cancelled.
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const { set, access } = await regradeForCaller(request, (await params).id, "author");
  const outcome = await applyRegrade({ id: set.id, assignmentId: set.assignmentId, courseId: access.course.id });
  const [progress] = await regradeProgress(db, [await db.regradeSet.findUniqueOrThrow({ where: { id: set.id }, select: SET_FIELDS })]);
  return Response.json({ ...progress, ...outcome }, { headers: { "cache-control": "no-store" } });
});
