import { requireAssignmentAccess } from "@/lib/classroom/access";
import { queueGrading } from "@/lib/classroom/grading/queue-grading";
import { currentWorkspaceFiles, requireWorkspaceRoom } from "@/lib/classroom/submissions/workspace-files";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * POST /api/v1/assignments/:id/test -> 202 {gradingId} (the student: "work").
 * Grades the workspace room's CURRENT files (the live document, as a room
 * run reads it) against the visible tests (and after_due ones once due),
 * as an interactive run: the student is waiting. Follow it with
 * GET /api/v1/gradings/:gradingId. 409 no_workspace before the workspace
 * was first opened. Not a submission: it counts against no limit but the
 * run rate, and is allowed after the deadline (practice).
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const caller = await requireCaller(request);
  const { assignment } = await requireAssignmentAccess(db, (await params).id, caller.user.id, "work");
  const roomId = await requireWorkspaceRoom(db, assignment.id, caller.user.id);
  const { limits } = await db.assignment.findUniqueOrThrow({ where: { id: assignment.id }, select: { limits: true } });
  const files = await currentWorkspaceFiles(caller.user.id, roomId, assignment.language);
  const { gradingId } = await queueGrading({
    assignment: { id: assignment.id, language: assignment.language, limits },
    userId: caller.user.id,
    kind: "test",
    files,
    workClass: "interactive",
  });
  return Response.json({ gradingId, status: "queued" }, { status: 202, headers: { location: `/api/v1/gradings/${gradingId}`, "cache-control": "no-store" } });
});
