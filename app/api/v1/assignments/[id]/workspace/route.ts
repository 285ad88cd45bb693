import { assignmentForCaller } from "@/lib/classroom/workspaces/access";
import { ensureWorkspace } from "@/lib/classroom/workspaces/workspace";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * POST /api/v1/assignments/:id/workspace -> {roomId, created}: the caller's
 * own room for the assignment, made from its starter files on the first call
 * (201 then, 200 after). Students only: teachers and TAs get 403 and open a
 * student's room instead (GET /api/v1/assignments/:id/workspaces).
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { db, caller, assignment } = await assignmentForCaller(request, (await params).id, "student");
  const { starterFiles } = await db.assignment.findUniqueOrThrow({ where: { id: assignment.id }, select: { starterFiles: true } });
  const workspace = await ensureWorkspace(db, { ...assignment, starterFiles }, caller.user.id);
  return Response.json(workspace, { status: workspace.created ? 201 : 200, headers: { "cache-control": "no-store" } });
});
