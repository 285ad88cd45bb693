import { deleteCourse, renameCourse } from "@/lib/classroom/courses/courses";
import { courseForCaller } from "@/lib/classroom/courses/for-caller";
import { renameCourseSchema } from "@/lib/classroom/courses/requests";
import { readJson } from "@/lib/http/errors";
import { announceRoomControl } from "@/lib/rooms/events";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/** GET /api/v1/courses/:id -> {id, name, role, createdAt, updatedAt} (members; others 404). */
export const GET = route(async (request: Request, { params }: Params) => {
  const { course, role } = await courseForCaller(request, (await params).id, "read");
  return Response.json({ ...course, role }, { headers: { "cache-control": "no-store" } });
});

/** PATCH /api/v1/courses/:id {name} -> the renamed course (teachers). */
export const PATCH = route(async (request: Request, { params }: Params) => {
  const { course, role } = await courseForCaller(request, (await params).id, "manage");
  const { name } = await readJson(request, renameCourseSchema);
  return Response.json({ ...(await renameCourse(web().db, course.id, name)), role }, { headers: { "cache-control": "no-store" } });
});

/**
 * DELETE /api/v1/courses/:id -> 204 (teachers): the course and everything in it are gone (members, invite codes,
 * assignments, submissions, grades) and so are the students' workspace rooms, whose open sockets close.
 */
export const DELETE = route(async (request: Request, { params }: Params) => {
  const { db, redis } = web();
  const { course } = await courseForCaller(request, (await params).id, "manage");
  const rooms = await deleteCourse(db, course.id);
  await Promise.all(rooms.map((roomId) => announceRoomControl(redis, { roomId, kind: "deleted" })));
  return new Response(null, { status: 204 });
});
