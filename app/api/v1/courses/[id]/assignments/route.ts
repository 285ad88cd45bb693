import { requireCourseAccess } from "@/lib/classroom/access";
import { createAssignment, listAssignments } from "@/lib/classroom/assignments/assignments";
import { checkLimits, resolveLanguage } from "@/lib/classroom/assignments/checks";
import { ASSIGNMENT_LIMITS, createAssignmentSchema } from "@/lib/classroom/assignments/requests";
import { readJson } from "@/lib/http/errors";
import { requireCaller } from "@/lib/web/caller";
import { noStore } from "@/lib/web/classroom-assignments";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * GET /api/v1/courses/:id/assignments -> {assignments: [{id, title, language, opensAt, dueAt, lateUntil, ..., tests, points}]}
 * by due date. Students see the ones that opened; staff all. Non-members 404.
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const caller = await requireCaller(request);
  const { course, role } = await requireCourseAccess(db, (await params).id, caller.user.id, "read");
  return Response.json({ assignments: await listAssignments(db, course.id, role) }, { headers: noStore });
});

/**
 * POST /api/v1/courses/:id/assignments {title, language, dueAt, statement?, starterFiles?, opensAt?, lateUntil?,
 * latePenaltyPerDay?, submissionLimit?, submissionRefillMinutes?, hiddenFeedback?, limits?} -> 201 the assignment
 * (teachers only). The language must be one a runner offers; limits within the server's maximum.
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { db, redis, config } = web();
  const caller = await requireCaller(request);
  const { course } = await requireCourseAccess(db, (await params).id, caller.user.id, "author");
  const body = await readJson(request, createAssignmentSchema, ASSIGNMENT_LIMITS.bodyBytes);
  checkLimits(config.limits, body.limits, "limits");
  const language = await resolveLanguage(redis, body.language);
  const assignment = await createAssignment(db, course.id, { ...body, language });
  return Response.json({ ...assignment, role: "teacher" }, { status: 201, headers: { location: `/api/v1/assignments/${assignment.id}`, ...noStore } });
});
