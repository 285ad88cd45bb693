import type { Database } from "../../db/client";
import { finalScore } from "../score";
import { requireId, requireWorkAccess } from "./access";
import { gradingStatus, gradingView, type GradingStatus, type GradingView, type Viewer } from "./grading-view";

/**
 * Reads of gradings and submissions for a caller, shared by the API routes
 * and the pages: each checks who may see it (access.ts) and passes every
 * grading through gradingView (the redaction), so no route can show more.
 */

const ASSIGNMENT_FIELDS = {
  id: true,
  courseId: true,
  title: true,
  opensAt: true,
  dueAt: true,
  lateUntil: true,
  latePenaltyPerDay: true,
  hiddenFeedback: true,
} as const;

const GRADING_INCLUDE = {
  results: true,
  execution: { select: { status: true } },
} as const;

type GradingWithResults = NonNullable<Awaited<ReturnType<typeof findGrading>>>;
const findGrading = (db: Database, id: string) =>
  db.grading.findUnique({ where: { id }, include: { ...GRADING_INCLUDE, assignment: { select: ASSIGNMENT_FIELDS } } });

async function viewOf(
  db: Database,
  grading: Omit<GradingWithResults, "assignment">,
  assignment: { id: string; dueAt: Date; hiddenFeedback: "verdict" | "nothing" },
  viewer: Viewer,
  now: Date,
): Promise<GradingView> {
  // The assignment's tests as they are now (at most 100): by id, else by name when the tests were saved again since.
  const tests = grading.results.length
    ? await db.assignmentTest.findMany({
        where: { assignmentId: assignment.id },
        select: { id: true, name: true, visibility: true, kind: true, spec: true },
      })
    : [];
  return gradingView({ grading, executionStatus: grading.execution?.status ?? null, results: grading.results, tests, assignment }, viewer, now);
}

/** GET /api/v1/gradings/:id: the student whose work it is, or course staff; redacted for the student. */
export async function gradingForCaller(db: Database, gradingId: string, callerId: string, now = new Date()): Promise<GradingView> {
  const missing = requireId(gradingId, "grading");
  const grading = await findGrading(db, gradingId);
  if (!grading) throw missing;
  const viewer = await requireWorkAccess(db, { ownerId: grading.userId, assignment: grading.assignment }, callerId, missing, now);
  // A re-grade is the teacher's preview until applied (made the submission's current grading): not the student's to see before.
  if (!viewer.staff && grading.kind === "regrade" && !(await db.submission.count({ where: { gradingId: grading.id } }))) throw missing;
  return viewOf(db, grading, grading.assignment, viewer, now);
}

export interface SubmissionView {
  id: string;
  number: number;
  assignment: { id: string; courseId: string; title: string; dueAt: string; lateUntil: string | null; latePenaltyPerDay: number };
  user: { id: string; username: string };
  createdAt: string;
  daysLate: number;
  late: boolean;
  files: Array<{ name: string; content: string }>;
  /** The score that counts (lib/classroom/score.ts finalScore): the override, else the graded points less the late penalty. */
  score: number | null;
  gradedScore: number | null;
  maxScore: number | null;
  status: GradingStatus | null;
  override: { score: number | null; comment: string | null; at: string | null } | null;
  grading: GradingView | null;
  /** The caller is course staff (the page shows the override form). */
  viewerIsStaff: boolean;
}

function filesOf(value: unknown): Array<{ name: string; content: string }> {
  return Array.isArray(value) ? value.filter((f): f is { name: string; content: string } => typeof f?.name === "string" && typeof f?.content === "string") : [];
}

/** GET /api/v1/submissions/:id: its owner or course staff; files, current grading (redacted), the score that counts. */
export async function submissionForCaller(db: Database, submissionId: string, callerId: string, now = new Date()): Promise<SubmissionView> {
  const missing = requireId(submissionId, "submission");
  const s = await db.submission.findUnique({
    where: { id: submissionId },
    include: { assignment: { select: ASSIGNMENT_FIELDS }, grading: { include: GRADING_INCLUDE } },
  });
  if (!s) throw missing;
  const viewer = await requireWorkAccess(db, { ownerId: s.userId, assignment: s.assignment }, callerId, missing, now);
  const user = await db.user.findUnique({ where: { id: s.userId }, select: { id: true, username: true } });
  const grading = s.grading ? await viewOf(db, s.grading, s.assignment, viewer, now) : null;
  const graded = s.grading?.finishedAt ? s.grading.score : null;
  const overridden = s.overrideScore !== null || s.overrideComment !== null;
  return {
    id: s.id,
    number: s.number,
    assignment: {
      id: s.assignment.id,
      courseId: s.assignment.courseId,
      title: s.assignment.title,
      dueAt: s.assignment.dueAt.toISOString(),
      lateUntil: s.assignment.lateUntil?.toISOString() ?? null,
      latePenaltyPerDay: s.assignment.latePenaltyPerDay,
    },
    user: user ?? { id: s.userId, username: "(deleted)" },
    createdAt: s.createdAt.toISOString(),
    daysLate: s.daysLate,
    late: s.daysLate > 0,
    files: filesOf(s.files),
    score: finalScore({ gradedScore: graded, daysLate: s.daysLate, latePenaltyPerDay: s.assignment.latePenaltyPerDay, overrideScore: s.overrideScore }),
    gradedScore: graded,
    maxScore: s.grading?.maxScore ?? null,
    status: s.grading ? gradingStatus(s.grading.finishedAt, s.grading.execution?.status ?? null) : null,
    override: overridden ? { score: s.overrideScore, comment: s.overrideComment, at: s.overriddenAt?.toISOString() ?? null } : null,
    grading,
    viewerIsStaff: viewer.staff,
  };
}

export interface SubmissionSummary {
  id: string;
  number: number;
  user: { id: string; username: string };
  createdAt: string;
  daysLate: number;
  late: boolean;
  score: number | null;
  maxScore: number | null;
  status: GradingStatus | null;
  overridden: boolean;
}

/** The most submissions one list answer holds (newest first). */
export const MAX_LISTED_SUBMISSIONS = 1000;

/** An assignment's submissions: the given student's, or (userId undefined) everyone's; the caller's access is checked by the route. */
export async function listSubmissions(
  db: Database,
  assignment: { id: string; latePenaltyPerDay: number },
  userId: string | undefined,
): Promise<SubmissionSummary[]> {
  const rows = await db.submission.findMany({
    where: { assignmentId: assignment.id, ...(userId ? { userId } : {}) },
    orderBy: [{ createdAt: "desc" }, { number: "desc" }],
    take: MAX_LISTED_SUBMISSIONS,
    select: {
      id: true,
      number: true,
      userId: true,
      createdAt: true,
      daysLate: true,
      overrideScore: true,
      overrideComment: true,
      grading: { select: { score: true, maxScore: true, finishedAt: true, execution: { select: { status: true } } } },
    },
  });
  const users = await db.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.userId))] } }, select: { id: true, username: true } });
  const names = new Map(users.map((u) => [u.id, u.username]));
  return rows.map((r) => {
    const graded = r.grading?.finishedAt ? r.grading.score : null;
    return {
      id: r.id,
      number: r.number,
      user: { id: r.userId, username: names.get(r.userId) ?? "(deleted)" },
      createdAt: r.createdAt.toISOString(),
      daysLate: r.daysLate,
      late: r.daysLate > 0,
      score: finalScore({ gradedScore: graded, daysLate: r.daysLate, latePenaltyPerDay: assignment.latePenaltyPerDay, overrideScore: r.overrideScore }),
      maxScore: r.grading?.maxScore ?? null,
      status: r.grading ? gradingStatus(r.grading.finishedAt, r.grading.execution?.status ?? null) : null,
      overridden: r.overrideScore !== null || r.overrideComment !== null,
    };
  });
}
