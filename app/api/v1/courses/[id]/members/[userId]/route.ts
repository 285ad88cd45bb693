import { requireCourseAccess } from "@/lib/classroom/access";
import { courseForCaller } from "@/lib/classroom/courses/for-caller";
import { announceCourseRoleChange } from "@/lib/classroom/courses/sockets";
import { changeMemberRoleSchema } from "@/lib/classroom/courses/requests";
import { changeMemberRole, removeMember } from "@/lib/classroom/courses/roster";
import { readJson } from "@/lib/http/errors";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string; userId: string }> };

/**
 * PATCH /api/v1/courses/:id/members/:userId {role: teacher|ta|student} -> the member (teachers). Their open
 * workspace-room sockets (sockets.ts) close and reconnect with the new role; the same on removal and leaving.
 * 409 last_teacher when it would leave the course without a teacher; 404 course_member_not_found.
 */
export const PATCH = route(async (request: Request, { params }: Params) => {
  const { id, userId } = await params;
  const { db, redis } = web();
  const { course } = await courseForCaller(request, id, "manage");
  const { role } = await readJson(request, changeMemberRoleSchema);
  const { member, previousRole } = await changeMemberRole(db, course.id, userId, role);
  await announceCourseRoleChange(db, redis, course.id, member.userId, previousRole);
  return Response.json(member, { headers: { "cache-control": "no-store" } });
});

/**
 * DELETE /api/v1/courses/:id/members/:userId -> 204. A teacher removes anyone; any member removes themselves
 * (`:userId` their own id, or `me`): they leave. 409 last_teacher for the course's only teacher.
 */
export const DELETE = route(async (request: Request, { params }: Params) => {
  const { db, redis } = web();
  const { id, userId: named } = await params;
  const caller = await requireCaller(request);
  const leaving = named === "me" || named === caller.user.id;
  const { course } = await requireCourseAccess(db, id, caller.user.id, leaving ? "read" : "manage");
  const userId = leaving ? caller.user.id : named;
  const previousRole = await removeMember(db, course.id, userId, leaving);
  await announceCourseRoleChange(db, redis, course.id, userId, previousRole);
  return new Response(null, { status: 204 });
});
