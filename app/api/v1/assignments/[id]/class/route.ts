import { assignmentForCaller } from "@/lib/classroom/workspaces/access";
import { classView } from "@/lib/classroom/workspaces/class-view";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * GET /api/v1/assignments/:id/class -> {assignment: {id, title, courseId,
 * dueAt}, tests: [{id, name, position, points}], students: [{userId,
 * username, roomId, lastActivityAt, help, grading: {id, kind, finishedAt,
 * compileError}|null, verdicts: {testId: verdict}, passed}], mostFailed:
 * {testId, name, failing, graded}|null, helpQueue: [{userId, username,
 * roomId, requestedAt, message}]}: the live class view (staff only; students
 * 403). `tests` are those a student's Test runs now; verdicts come from each
 * student's latest finished test or submission grading.
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db, assignment } = await assignmentForCaller(request, (await params).id, "staff");
  const view = await classView(db, assignment);
  const { id, title, courseId, dueAt } = assignment;
  return Response.json({ assignment: { id, title, courseId, dueAt }, ...view }, { headers: { "cache-control": "no-store" } });
});
