import pg from "pg";
import { inject } from "vitest";
import { registerUser } from "./api";
import type { TestUser } from "./rooms";

/**
 * A course written straight into the database (the course and assignment
 * routes are other parts' work): a teacher, a TA, two students, and one
 * open python assignment with starter files and three tests (two visible,
 * one hidden). For the workspace, help and class-view tests.
 */
export interface WorkspaceCourse {
  courseId: string;
  assignmentId: string;
  teacher: TestUser;
  ta: TestUser;
  students: [TestUser, TestUser];
  tests: { first: string; second: string; hidden: string };
}

export const STARTER = [
  { name: "main.py", content: "print(input()[::-1])  # starter\n" },
  { name: "lib/helper.py", content: "def helper():\n    return 42\n" },
];

export function coursePool(): pg.Pool {
  return new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
}

export async function workspaceCourse(pool: pg.Pool, options: { opensAt?: Date; title?: string } = {}): Promise<WorkspaceCourse> {
  const [teacher, ta, s1, s2] = await Promise.all([registerUser(), registerUser(), registerUser(), registerUser()]);
  const course = await pool.query<{ id: string }>(`INSERT INTO "Course" (id, name, "updatedAt") VALUES (gen_random_uuid(), 'Course', now()) RETURNING id`);
  const courseId = course.rows[0]!.id;
  for (const [user, role] of [
    [teacher, "teacher"],
    [ta, "ta"],
    [s1, "student"],
    [s2, "student"],
  ] as const) {
    await pool.query(`INSERT INTO "CourseMember" ("courseId", "userId", role) VALUES ($1, $2, $3)`, [courseId, user.id, role]);
  }
  const assignment = await pool.query<{ id: string }>(
    `INSERT INTO "Assignment" (id, "courseId", title, language, "starterFiles", "opensAt", "dueAt", "updatedAt")
     VALUES (gen_random_uuid(), $1, $2, 'python', $3, $4, now() + interval '7 days', now()) RETURNING id`,
    [courseId, options.title ?? "Reverse a line", JSON.stringify(STARTER), options.opensAt ?? null],
  );
  const assignmentId = assignment.rows[0]!.id;
  const test = async (position: number, name: string, visibility: string) =>
    (
      await pool.query<{ id: string }>(
        `INSERT INTO "AssignmentTest" (id, "assignmentId", position, name, points, visibility, kind, spec, "updatedAt")
         VALUES (gen_random_uuid(), $1, $2, $3, 1, $4, 'io', '{}', now()) RETURNING id`,
        [assignmentId, position, name, visibility],
      )
    ).rows[0]!.id;
  const tests = {
    first: await test(0, "reverses abc", "visible"),
    second: await test(1, "reverses empty", "visible"),
    hidden: await test(2, "secret", "hidden"),
  };
  return { courseId, assignmentId, teacher, ta, students: [s1, s2], tests };
}

/** A finished grading of `kind` for the student with one result per [testId, name, verdict]. */
export async function insertGrading(
  pool: pg.Pool,
  c: { assignmentId: string },
  userId: string,
  kind: "test" | "submission" | "regrade",
  finishedAt: Date | null,
  results: Array<[string | null, string, string]>,
): Promise<string> {
  const grading = await pool.query<{ id: string }>(
    `INSERT INTO "Grading" (id, "assignmentId", "userId", kind, "finishedAt", score, "maxScore")
     VALUES (gen_random_uuid(), $1, $2, $3, $4, 0, $5) RETURNING id`,
    [c.assignmentId, userId, kind, finishedAt, results.length],
  );
  const gradingId = grading.rows[0]!.id;
  for (const [position, [testId, name, verdict]] of results.entries()) {
    await pool.query(
      `INSERT INTO "TestResult" ("gradingId", position, "testId", name, visibility, "maxPoints", points, verdict)
       VALUES ($1, $2, $3, $4, 'visible', 1, $5, $6)`,
      [gradingId, position, testId, name, verdict === "passed" ? 1 : 0, verdict],
    );
  }
  return gradingId;
}
