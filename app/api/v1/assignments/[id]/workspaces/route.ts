import { assignmentForCaller } from "@/lib/classroom/workspaces/access";
import { classView } from "@/lib/classroom/workspaces/class-view";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * GET /api/v1/assignments/:id/workspaces -> {workspaces: [{userId, username,
 * roomId|null, help: {requestedAt, message}|null, lastActivityAt|null}]}:
 * every student of the course, by username, with their room once they opened
 * it (staff only; students 403).
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db, assignment } = await assignmentForCaller(request, (await params).id, "staff");
  const view = await classView(db, assignment);
  const workspaces = view.students.map(({ userId, username, roomId, help, lastActivityAt }) => ({ userId, username, roomId, help, lastActivityAt }));
  return Response.json({ workspaces }, { headers: { "cache-control": "no-store" } });
});
