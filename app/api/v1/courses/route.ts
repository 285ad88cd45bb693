import { createCourse, listMyCourses } from "@/lib/classroom/courses/courses";
import { createCourseSchema } from "@/lib/classroom/courses/requests";
import { readJson } from "@/lib/http/errors";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

/** GET /api/v1/courses -> {courses: [{id, name, role, createdAt, updatedAt}]}: the caller's courses with their role in each, by name. */
export const GET = route(async (request: Request) => {
  const caller = await requireCaller(request);
  return Response.json({ courses: await listMyCourses(web().db, caller.user.id) }, { headers: { "cache-control": "no-store" } });
});

/**
 * POST /api/v1/courses {name} -> 201 {id, name, role: "teacher", createdAt, updatedAt}. Any signed-in account may
 * create a course and is its teacher; 409 too_many_courses when the caller already teaches 50.
 */
export const POST = route(async (request: Request) => {
  const caller = await requireCaller(request);
  const { name } = await readJson(request, createCourseSchema);
  const course = await createCourse(web().db, caller.user.id, name);
  return Response.json(course, { status: 201, headers: { location: `/api/v1/courses/${course.id}`, "cache-control": "no-store" } });
});
