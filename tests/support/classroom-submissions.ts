import { Redis } from "ioredis";
import { inject } from "vitest";
import { createDatabase } from "../../lib/db/client";
import type { Verdict } from "../../lib/db/generated/enums";
import { ensureWorkspace } from "../../lib/classroom/workspaces/workspace";
import { registerUser } from "./api";
import type { TestUser } from "./rooms";

/**
 * Courses, assignments and finished gradings made straight in the test
 * database, for the submissions suites: the course and assignment routes
 * are other parts' (and the runner's grading too), so these tests set the
 * stage themselves and exercise only the submission routes through HTTP.
 */
export const db = createDatabase(inject("databaseUrl"));
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** Every hidden test's input and expected output carry this: it must never reach a student. */
export const SECRET = "S3CRET-hidden-7f1c";

export type AssignmentOptions = Partial<{
  dueAt: Date;
  lateUntil: Date | null;
  opensAt: Date | null;
  latePenaltyPerDay: number;
  submissionLimit: number | null;
  submissionRefillMinutes: number | null;
  hiddenFeedback: "verdict" | "nothing";
}>;

export interface Course {
  id: string;
  teacher: TestUser;
  ta: TestUser;
  students: TestUser[];
}

export async function makeCourse(students = 2): Promise<Course> {
  const [teacher, ta, ...pupils] = await Promise.all(Array.from({ length: 2 + students }, () => registerUser()));
  const course = await db.course.create({ data: { name: "Course" } });
  await db.courseMember.createMany({
    data: [
      { courseId: course.id, userId: teacher!.id, role: "teacher" },
      { courseId: course.id, userId: ta!.id, role: "ta" },
      ...pupils.map((s) => ({ courseId: course.id, userId: s.id, role: "student" as const })),
    ],
  });
  return { id: course.id, teacher: teacher!, ta: ta!, students: pupils };
}

/** A student added to the course later (a fresh one: no runs queued yet). */
export async function addStudent(course: Course): Promise<TestUser> {
  const s = await registerUser();
  await db.courseMember.create({ data: { courseId: course.id, userId: s.id, role: "student" } });
  return s;
}

/** A Python assignment with a visible, a hidden and an after_due io test (input and expected output of the last two carry SECRET). */
export async function makeAssignment(courseId: string, o: AssignmentOptions = {}) {
  const assignment = await db.assignment.create({
    data: {
      courseId,
      title: "Echo",
      language: "python",
      starterFiles: [{ name: "main.py", content: "print(input())\n" }],
      dueAt: o.dueAt ?? new Date(Date.now() + DAY),
      lateUntil: o.lateUntil ?? null,
      opensAt: o.opensAt ?? null,
      latePenaltyPerDay: o.latePenaltyPerDay ?? 0,
      submissionLimit: o.submissionLimit ?? null,
      submissionRefillMinutes: o.submissionRefillMinutes ?? null,
      hiddenFeedback: o.hiddenFeedback ?? "verdict",
    },
  });
  const io = (stdin: string, expectedStdout: string) => ({ stdin, args: [], expectedStdout, comparison: { mode: "trailing_whitespace" } });
  const tests = await Promise.all([
    db.assignmentTest.create({
      data: { assignmentId: assignment.id, position: 0, name: "visible echo", points: 2, visibility: "visible", kind: "io", spec: io("hello\n", "hello\n") },
    }),
    db.assignmentTest.create({
      data: {
        assignmentId: assignment.id,
        position: 1,
        name: "hidden echo",
        points: 3,
        visibility: "hidden",
        kind: "io",
        spec: io(`${SECRET} in\n`, `${SECRET} out\n`),
      },
    }),
    db.assignmentTest.create({
      data: {
        assignmentId: assignment.id,
        position: 2,
        name: "after due echo",
        points: 5,
        visibility: "after_due",
        kind: "io",
        spec: io(`${SECRET} due-in\n`, `${SECRET} due-out\n`),
      },
    }),
  ]);
  return { ...assignment, tests };
}

export async function workspaceOf(assignment: { id: string; title: string; language: string; starterFiles: unknown }, student: TestUser): Promise<string> {
  return (await ensureWorkspace(db, assignment, student.id)).roomId;
}

/**
 * A finished grading as the runner would store it (results of each test,
 * its outputs carrying SECRET for the hidden ones), made the submission's
 * current one when a submission is given. Independent of the runner: it has
 * no execution, so no run can race with it.
 */
export async function finishedGrading(
  assignment: Awaited<ReturnType<typeof makeAssignment>>,
  userId: string,
  opts: { submissionId?: string; kind?: "test" | "submission" | "regrade"; verdicts?: Verdict[]; makeCurrent?: boolean } = {},
) {
  const verdicts = opts.verdicts ?? ["wrong_answer", "passed", "passed"];
  const results = assignment.tests.map((t, i) => ({
    position: t.position,
    testId: t.id,
    name: t.name,
    visibility: t.visibility,
    maxPoints: t.points,
    points: verdicts[i] === "passed" ? t.points : 0,
    verdict: verdicts[i]!,
    exitCode: 0,
    stdout: Buffer.from(i === 0 ? "hallo\n" : `${SECRET} printed ${i}\n`),
    stderr: Buffer.from(i === 0 ? "a warning\n" : `${SECRET} stderr ${i}\n`),
    feedback: i === 0 ? null : `${SECRET} feedback ${i}`,
    timeMs: 30 + i,
    memoryKb: 9000 + i,
  }));
  const grading = await db.grading.create({
    data: {
      assignmentId: assignment.id,
      userId,
      kind: opts.kind ?? (opts.submissionId ? "submission" : "test"),
      submissionId: opts.submissionId,
      score: results.reduce((s, r) => s + r.points, 0),
      maxScore: results.reduce((s, r) => s + r.maxPoints, 0),
      finishedAt: new Date(),
      results: { create: results },
    },
  });
  if (opts.submissionId && opts.makeCurrent !== false) await db.submission.update({ where: { id: opts.submissionId }, data: { gradingId: grading.id } });
  return grading;
}

/** The course's events (lib/classroom/events.ts), oldest first. */
export async function courseEvents(courseId: string): Promise<Array<{ type: string; data: Record<string, unknown> }>> {
  const redis = new Redis(inject("redisUrl"));
  try {
    const entries = await redis.xrange(`sam:course:${courseId}:events`, "-", "+");
    return entries.map(([, fields]) => {
      const map: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) map[fields[i]!] = fields[i + 1]!;
      return { type: map.type!, data: JSON.parse(map.data ?? "{}") };
    });
  } finally {
    redis.disconnect();
  }
}
