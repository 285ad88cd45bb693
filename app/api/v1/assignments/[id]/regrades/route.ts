import { requireAssignmentAccess } from "@/lib/classroom/access";
import { regradeProgress } from "@/lib/classroom/regrades/progress";
import { SET_FIELDS } from "@/lib/classroom/regrades/access";
import { startRegrade } from "@/lib/classroom/regrades/start";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/** The newest sets listed. */
const LIST_LIMIT = 50;

/**
 * POST /api/v1/assignments/:id/regrades (no body) -> 201 {id, assignmentId,
 * status: "running", total, done, failed, ...} (teachers): re-grades every
 * submission with the tests as they are now, in the batch class, without
 * changing any score until applied. 409 regrade_running while another set of
 * the assignment is open (running or ready), 409 nothing_to_regrade without
 * submissions, 503 no_runner when no runner serves the language.
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const caller = await requireCaller(request);
  const { assignment } = await requireAssignmentAccess(db, (await params).id, caller.user.id, "author");
  const { id } = await startRegrade(assignment.id, caller.user.id);
  const set = await db.regradeSet.findUniqueOrThrow({ where: { id }, select: SET_FIELDS });
  const [progress] = await regradeProgress(db, [set]);
  return Response.json(progress, { status: 201, headers: { "cache-control": "no-store" } });
});

/** GET /api/v1/assignments/:id/regrades -> {regrades: [progress...]} newest first, at most 50 (staff). */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const caller = await requireCaller(request);
  const { assignment } = await requireAssignmentAccess(db, (await params).id, caller.user.id, "grade");
  const sets = await db.regradeSet.findMany({ where: { assignmentId: assignment.id }, orderBy: { createdAt: "desc" }, take: LIST_LIMIT, select: SET_FIELDS });
  return Response.json({ regrades: await regradeProgress(db, sets) }, { headers: { "cache-control": "no-store" } });
});
