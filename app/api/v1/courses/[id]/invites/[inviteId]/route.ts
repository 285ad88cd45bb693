import { courseForCaller } from "@/lib/classroom/courses/for-caller";
import { revokeInvite } from "@/lib/classroom/courses/invites";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string; inviteId: string }> };

/** DELETE /api/v1/courses/:id/invites/:inviteId -> 204 (teachers): the code no longer lets anyone join; 404 course_invite_not_found. */
export const DELETE = route(async (request: Request, { params }: Params) => {
  const { id, inviteId } = await params;
  const { course } = await courseForCaller(request, id, "manage");
  await revokeInvite(web().db, course.id, inviteId);
  return new Response(null, { status: 204 });
});
