import { assignmentForCaller } from "@/lib/classroom/workspaces/access";
import { askForHelp, closeHelp, helpRequestSchema } from "@/lib/classroom/workspaces/help";
import { ensureWorkspace } from "@/lib/classroom/workspaces/workspace";
import { isStaff } from "@/lib/classroom/roles";
import { ApiError, readJson } from "@/lib/http/errors";
import { isUuid } from "@/lib/http/ids";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * GET /api/v1/assignments/:id/help -> {help: {requestedAt, message}|null}:
 * the student's own open request (students only; staff read the queue from
 * GET /api/v1/assignments/:id/class).
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db, caller, assignment } = await assignmentForCaller(request, (await params).id, "student");
  const row = await db.assignmentWorkspace.findUnique({
    where: { assignmentId_userId: { assignmentId: assignment.id, userId: caller.user.id } },
    select: { helpRequestedAt: true, helpMessage: true },
  });
  const help = row?.helpRequestedAt ? { requestedAt: row.helpRequestedAt, message: row.helpMessage } : null;
  return Response.json({ help }, { headers: { "cache-control": "no-store" } });
});

/**
 * POST /api/v1/assignments/:id/help {message?: up to 500 characters, one line}
 * -> {requestedAt, message, roomId}: the student asks for help (students
 * only). Asking again while a request is open keeps its place in the queue
 * and replaces the message. The room is made if the student never opened it,
 * so the teacher has somewhere to go.
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { db, caller, assignment } = await assignmentForCaller(request, (await params).id, "student");
  const { message } = await readJson(request, helpRequestSchema);
  const { starterFiles } = await db.assignment.findUniqueOrThrow({ where: { id: assignment.id }, select: { starterFiles: true } });
  const { roomId } = await ensureWorkspace(db, { ...assignment, starterFiles }, caller.user.id);
  const where = { assignmentId: assignment.id, courseId: assignment.courseId, userId: caller.user.id };
  const help = await askForHelp(db, web().redis, where, message);
  return Response.json({ ...help, roomId }, { headers: { "cache-control": "no-store" } });
});

/**
 * DELETE /api/v1/assignments/:id/help -> 204: a student withdraws their own
 * request; DELETE ...?userId=<student> -> 204: a teacher or TA resolves that
 * student's request (they helped). 204 also when no request was open.
 */
export const DELETE = route(async (request: Request, { params }: Params) => {
  const { db, caller, assignment, role } = await assignmentForCaller(request, (await params).id, "either");
  const named = new URL(request.url).searchParams.get("userId");
  let userId = caller.user.id;
  if (isStaff(role)) {
    if (!named || !isUuid(named)) throw new ApiError(400, "invalid_request", "userId: name the student whose help request is resolved (?userId=<their id>).");
    userId = named;
  } else if (named && named !== caller.user.id) {
    throw new ApiError(403, "forbidden", "A student can only withdraw their own help request; leave out userId.");
  }
  await closeHelp(db, web().redis, { assignmentId: assignment.id, courseId: assignment.courseId, userId });
  return new Response(null, { status: 204 });
});
