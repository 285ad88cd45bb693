import { courseForCaller } from "@/lib/classroom/courses/for-caller";
import { changeMemberRoleSchema } from "@/lib/classroom/courses/requests";
import { changeMemberRole, removeMember } from "@/lib/classroom/courses/roster";
import { readJson } from "@/lib/http/errors";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";
import { requireCourseAccess } from "@/lib/classroom/access";

type Params = { params: Promise<{ id: string; userId: string }> };

/**
 * PATCH /api/v1/courses/:id/members/:userId {role: teacher|ta|student} -> the member (teachers).
 * 409 last_teacher when it would leave the course without a teacher; 404 course_member_not_found.
 */
export const PATCH = route(async (request: Request, { params }: Params) => {
  const { id, userId } = await params;
  const { course } = await courseForCaller(request, id, "manage");
  const { role } = await readJson(request, changeMemberRoleSchema);
  return Response.json(await changeMemberRole(web().db, course.id, userId, role), { headers: { "cache-control": "no-store" } });
});

/**
 * DELETE /api/v1/courses/:id/members/:userId -> 204. A teacher removes anyone; any member removes themselves
 * (`:userId` their own id, or `me`): they leave. 409 last_teacher for the course's only teacher.
 */
export const DELETE = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const { id, userId: named } = await params;
  const caller = await requireCaller(request);
  const leaving = named === "me" || named === caller.user.id;
  const { course } = await requireCourseAccess(db, id, caller.user.id, leaving ? "read" : "manage");
  await removeMember(db, course.id, leaving ? caller.user.id : named, leaving);
  return new Response(null, { status: 204 });
});
