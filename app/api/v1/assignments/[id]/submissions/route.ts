import { z } from "zod";
import { requireAssignmentAccess } from "@/lib/classroom/access";
import { appendCourseEvent } from "@/lib/classroom/events";
import { queueGrading } from "@/lib/classroom/grading/queue-grading";
import { isStaff } from "@/lib/classroom/roles";
import { allowanceView, policyOf, POLICY_FIELDS } from "@/lib/classroom/submissions/policy";
import { listSubmissions, submissionForCaller } from "@/lib/classroom/submissions/queries";
import { checkSubmission } from "@/lib/classroom/submissions/rules";
import { recordSubmission } from "@/lib/classroom/submissions/submit";
import { currentWorkspaceFiles, requireWorkspaceRoom } from "@/lib/classroom/submissions/workspace-files";
import { ApiError, readQuery } from "@/lib/http/errors";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

const listQuery = z.object({ userId: z.string().uuid("must be a user's id").optional() }).strict();

/**
 * GET /api/v1/assignments/:id/submissions[?userId=] -> {submissions: [...],
 * allowance} newest first (at most 1000). A student gets their own and how
 * many submissions they have left (allowance: {limit, kind, used,
 * available, nextAt}); staff get every student's, or one student's with
 * ?userId= (then with that student's allowance).
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const caller = await requireCaller(request);
  const access = await requireAssignmentAccess(db, (await params).id, caller.user.id, "read");
  const { userId } = readQuery(request, listQuery);
  const staff = isStaff(access.role);
  if (!staff && userId && userId !== caller.user.id)
    throw new ApiError(403, "forbidden", "As a student you can see only your own submissions; leave out userId.");
  const whose = staff ? userId : caller.user.id;
  const assignment = await db.assignment.findUniqueOrThrow({ where: { id: access.assignment.id }, select: POLICY_FIELDS });
  const submissions = await listSubmissions(db, assignment, whose);
  const allowance = whose ? await allowanceView(db, assignment, whose) : null;
  return Response.json({ submissions, allowance }, { headers: { "cache-control": "no-store" } });
});

/**
 * POST /api/v1/assignments/:id/submissions -> 201 the submission (the
 * student: "work"). Snapshots the workspace's current files into an
 * immutable submission number n+1 and queues its grading against every
 * test. Refused: 409 no_workspace, 409 deadline_passed (after lateUntil, or
 * dueAt without late submissions), 429 submission_limit_reached (a hard
 * cap: no Retry-After; a refilling budget: Retry-After until one comes
 * back). The rules are checked first without a lock (cheap refusals before
 * the files are read) and again under the student's lock as the row is made.
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { db, redis, log } = web();
  const caller = await requireCaller(request);
  const access = await requireAssignmentAccess(db, (await params).id, caller.user.id, "work");
  const assignment = await db.assignment.findUniqueOrThrow({ where: { id: access.assignment.id }, select: POLICY_FIELDS });
  const policy = policyOf(assignment);
  const earlier = await db.submission.findMany({ where: { assignmentId: assignment.id, userId: caller.user.id }, select: { createdAt: true } });
  checkSubmission(
    policy,
    earlier.map((e) => e.createdAt),
    new Date(),
  );
  const roomId = await requireWorkspaceRoom(db, assignment.id, caller.user.id);
  const files = await currentWorkspaceFiles(caller.user.id, roomId, assignment.language);
  const submission = await recordSubmission(db, policy, caller.user.id, files);
  await queueGrading({
    assignment: { id: assignment.id, language: assignment.language, limits: assignment.limits },
    userId: caller.user.id,
    kind: "submission",
    files,
    submissionId: submission.id,
    workClass: "api",
    makeCurrent: true,
  });
  await appendCourseEvent(redis, assignment.courseId, "submission", {
    assignmentId: assignment.id,
    submissionId: submission.id,
    userId: caller.user.id,
    number: submission.number,
    daysLate: submission.daysLate,
  }).catch((err: Error) => log.warn({ err: err.message, submissionId: submission.id }, "could not announce the submission; the gradebook shows it on reload"));
  const view = await submissionForCaller(db, submission.id, caller.user.id);
  return Response.json(view, { status: 201, headers: { location: `/api/v1/submissions/${submission.id}`, "cache-control": "no-store" } });
});
