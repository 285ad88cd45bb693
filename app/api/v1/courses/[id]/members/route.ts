import { courseForCaller } from "@/lib/classroom/courses/for-caller";
import { addMemberSchema } from "@/lib/classroom/courses/requests";
import { addMember, listRoster } from "@/lib/classroom/courses/roster";
import { readJson } from "@/lib/http/errors";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * GET /api/v1/courses/:id/members -> {members: [{userId, username, role, joinedAt}]}, teachers first, then TAs,
 * then students. Staff see everyone; a student sees the staff and themselves, never another student.
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { caller, course, role } = await courseForCaller(request, (await params).id, "read");
  const members = await listRoster(web().db, course.id, { userId: caller.user.id, role });
  return Response.json({ members }, { headers: { "cache-control": "no-store" } });
});

/**
 * POST /api/v1/courses/:id/members {username, role?: teacher|ta|student (default student)} -> 201 the member
 * (teachers). 404 user_not_found, 409 course_already_member, 409 course_full.
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { course } = await courseForCaller(request, (await params).id, "manage");
  const { username, role } = await readJson(request, addMemberSchema);
  const member = await addMember(web().db, course.id, username, role);
  return Response.json(member, { status: 201, headers: { "cache-control": "no-store" } });
});
