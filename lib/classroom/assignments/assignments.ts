import type { Database } from "../../db/client";
import type { Assignment } from "../../db/generated/client";
import { ApiError } from "../../http/errors";
import { isStaff, type CourseRole } from "../roles";
import type { TestDefinition } from "../tests/spec";
import { assignmentRuleProblem, type AssignmentFields, type AssignmentUpdate } from "./requests";
import { loadTests, type StoredTest } from "./tests-store";

/**
 * Assignments as stored and as each role sees them. Staff see everything;
 * a student sees an assignment once it opened, its visible tests in full
 * (name, points, input, expected output) and of the hidden ones only how many
 * there are and their points: never a hidden test's spec.
 */

export async function createAssignment(db: Database, courseId: string, fields: AssignmentFields): Promise<Assignment> {
  return db.assignment.create({ data: { courseId, ...fields } });
}

/** Merges the change into what is stored, checks the rules between fields on the result, and saves it. */
export async function updateAssignment(db: Database, current: Assignment, change: AssignmentUpdate): Promise<Assignment> {
  const merged = {
    opensAt: change.opensAt !== undefined ? change.opensAt : current.opensAt,
    dueAt: change.dueAt ?? current.dueAt,
    lateUntil: change.lateUntil !== undefined ? change.lateUntil : current.lateUntil,
    submissionLimit: change.submissionLimit !== undefined ? change.submissionLimit : current.submissionLimit,
    submissionRefillMinutes: change.submissionRefillMinutes !== undefined ? change.submissionRefillMinutes : current.submissionRefillMinutes,
  };
  const problem = assignmentRuleProblem(merged);
  if (problem) throw new ApiError(400, "invalid_request", problem);
  return db.assignment.update({ where: { id: current.id }, data: change });
}

/** A test is shown in full to a student when it is visible, or shown after the due date and that has passed. */
export function shownToStudents(test: { visibility: string }, dueAt: Date, now: Date): boolean {
  return test.visibility === "visible" || (test.visibility === "after_due" && now >= dueAt);
}

/** What a student may read of a test shown to them: what goes in and what should come out, never the checker's program or the command's files. */
export function studentTestView(t: TestDefinition & { position: number }) {
  const base = { position: t.position, name: t.name, points: t.points, kind: t.kind, visibility: t.visibility };
  if (t.kind === "io")
    return { ...base, stdin: t.stdin, args: t.args, expectedStdout: t.expectedStdout, expectedExitCode: t.expectedExitCode ?? null, comparison: t.comparison };
  if (t.kind === "checker") return { ...base, stdin: t.stdin, args: t.args, answer: t.answer };
  return { ...base, command: t.command };
}
export type StudentTestView = ReturnType<typeof studentTestView>;

function fieldsOf(a: Assignment) {
  return {
    id: a.id,
    courseId: a.courseId,
    title: a.title,
    language: a.language,
    opensAt: a.opensAt,
    dueAt: a.dueAt,
    lateUntil: a.lateUntil,
    latePenaltyPerDay: a.latePenaltyPerDay,
    submissionLimit: a.submissionLimit,
    submissionRefillMinutes: a.submissionRefillMinutes,
    hiddenFeedback: a.hiddenFeedback,
    limits: a.limits,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

/** The list of a course's assignments: students see the opened ones only. Each with its total points and test count. */
export async function listAssignments(db: Database, courseId: string, role: CourseRole, now = new Date()) {
  const rows = await db.assignment.findMany({
    where: { courseId, ...(isStaff(role) ? {} : { OR: [{ opensAt: null }, { opensAt: { lte: now } }] }) },
    orderBy: [{ dueAt: "asc" }, { createdAt: "asc" }],
    include: { tests: { select: { points: true } } },
  });
  return rows.map(({ tests, ...a }) => ({ ...fieldsOf(a), tests: tests.length, points: tests.reduce((s, t) => s + t.points, 0) }));
}

export type AssignmentView = ReturnType<typeof fieldsOf> & {
  statement: string;
  role: CourseRole;
  points: number;
  /** Staff: every test in full. Students: the ones shown to them (studentTestView). */
  tests: Array<(StoredTest & TestDefinition) | StudentTestView>;
  /** Tests not shown to the caller (students only; 0 for staff): how many and their points. */
  hiddenTests: { count: number; points: number };
  /** Staff only. */
  starterFiles?: unknown;
};

/** One assignment as `role` may see it. */
export async function assignmentView(db: Database, a: Assignment, role: CourseRole, now = new Date()): Promise<AssignmentView> {
  const tests = await loadTests(db, a.id);
  const points = tests.reduce((s, t) => s + t.points, 0);
  if (isStaff(role)) {
    return { ...fieldsOf(a), statement: a.statement, starterFiles: a.starterFiles, role, points, tests, hiddenTests: { count: 0, points: 0 } };
  }
  const shown = tests.filter((t) => shownToStudents(t, a.dueAt, now));
  const hidden = tests.filter((t) => !shownToStudents(t, a.dueAt, now));
  return {
    ...fieldsOf(a),
    statement: a.statement,
    role,
    points,
    tests: shown.map(studentTestView),
    hiddenTests: { count: hidden.length, points: hidden.reduce((s, t) => s + t.points, 0) },
  };
}
