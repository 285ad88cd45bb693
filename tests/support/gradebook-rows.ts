import { issueToken } from "../../lib/accounts/api-tokens";
import { insertUser } from "../../lib/accounts/users";
import type { Database } from "../../lib/db/client";
import type { ExecutionStatus, Verdict } from "../../lib/db/generated/enums";

/**
 * Rows of the classroom model written straight to the database, for tests of
 * the parts that read them (gradebook, re-grade preview) while the parts that
 * write them through the API (courses, submissions, the runner's grading) are
 * tested on their own.
 */
export async function insertCourse(db: Database, name: string, members: Array<{ userId: string; role: "teacher" | "ta" | "student" }>) {
  const course = await db.course.create({ data: { name, members: { create: members } } });
  return course.id;
}

export async function insertAssignment(
  db: Database,
  courseId: string,
  opts: { title: string; dueAt: Date; latePenaltyPerDay?: number; tests: Array<{ name: string; points: number }> },
) {
  const a = await db.assignment.create({
    data: {
      courseId,
      title: opts.title,
      language: "python",
      dueAt: opts.dueAt,
      latePenaltyPerDay: opts.latePenaltyPerDay ?? 0,
      tests: {
        create: opts.tests.map((t, position) => ({
          position,
          name: t.name,
          points: t.points,
          kind: "io",
          spec: { stdin: "", args: [], expectedStdout: "x\n", comparison: { mode: "exact" } },
        })),
      },
    },
    include: { tests: { orderBy: { position: "asc" } } },
  });
  return { id: a.id, tests: a.tests.map((t) => ({ id: t.id, name: t.name, points: t.points })) };
}

export interface ResultRow {
  testId: string | null;
  name: string;
  points: number;
  maxPoints: number;
  verdict: Verdict;
}

/** A grading with its execution; finished (score, results) unless `executionStatus` says it is still queued or running. */
export async function insertGrading(
  db: Database,
  opts: {
    assignmentId: string;
    userId: string;
    submissionId?: string;
    kind?: "submission" | "regrade" | "test";
    regradeSetId?: string;
    executionStatus?: ExecutionStatus;
    results?: ResultRow[];
  },
) {
  const status = opts.executionStatus ?? "succeeded";
  const finished = status === "succeeded";
  const results = opts.results ?? [];
  const execution = await db.execution.create({ data: { userId: opts.userId, language: "python", version: "3", limits: {}, status } });
  const grading = await db.grading.create({
    data: {
      executionId: execution.id,
      assignmentId: opts.assignmentId,
      userId: opts.userId,
      kind: opts.kind ?? "submission",
      submissionId: opts.submissionId,
      regradeSetId: opts.regradeSetId,
      score: finished ? results.reduce((s, r) => s + r.points, 0) : null,
      maxScore: results.reduce((s, r) => s + r.maxPoints, 0),
      finishedAt: finished ? new Date() : null,
      results: finished
        ? {
            create: results.map((r, position) => ({
              position,
              testId: r.testId,
              name: r.name,
              visibility: "visible",
              maxPoints: r.maxPoints,
              points: r.points,
              verdict: r.verdict,
            })),
          }
        : undefined,
    },
  });
  return grading.id;
}

/** A submission made current with a finished grading of these results (or none: not graded yet). */
export async function insertSubmission(
  db: Database,
  opts: {
    assignmentId: string;
    userId: string;
    number: number;
    daysLate?: number;
    overrideScore?: number;
    results?: ResultRow[];
    executionStatus?: ExecutionStatus;
  },
) {
  const s = await db.submission.create({
    data: {
      assignmentId: opts.assignmentId,
      userId: opts.userId,
      number: opts.number,
      files: [{ name: "main.py", content: `print(${opts.number})` }],
      daysLate: opts.daysLate ?? 0,
      overrideScore: opts.overrideScore,
    },
  });
  if (opts.results || opts.executionStatus) {
    const gradingId = await insertGrading(db, {
      assignmentId: opts.assignmentId,
      userId: opts.userId,
      submissionId: s.id,
      results: opts.results,
      executionStatus: opts.executionStatus,
    });
    await db.submission.update({ where: { id: s.id }, data: { gradingId } });
  }
  return s.id;
}

/** Results for tests [{id,name,points}] where `passed` says which passed (full points) and the rest are wrong answers. */
export function resultsOf(tests: Array<{ id: string; name: string; points: number }>, passed: boolean[]): ResultRow[] {
  return tests.map((t, i) => ({
    testId: t.id,
    name: t.name,
    maxPoints: t.points,
    points: passed[i] ? t.points : 0,
    verdict: passed[i] ? "passed" : "wrong_answer",
  }));
}

/**
 * A user with an API token, written directly: no password (hashing one costs
 * a second of CPU per user on a busy machine, and these tests sign in by token).
 */
export async function insertUserWithToken(db: Database, username: string) {
  const user = await insertUser(db, username, "no-password: signs in by token only");
  const { token } = await issueToken(db, user.id, 1);
  return { username, token, id: user.id };
}
