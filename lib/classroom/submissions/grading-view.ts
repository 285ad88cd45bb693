import type { ExecutionStatus, HiddenFeedback, TestVisibility, Verdict } from "../../db/generated/enums";
import { diffBudget, type DiffPart } from "./diff";

/**
 * What a viewer sees of a grading: the ONE place where hidden tests are
 * redacted, used by every route and page that shows results (the test run,
 * a submission, the lists). Staff see everything. A student sees visible
 * tests fully (input, expected and actual output, a diff, time, memory) and
 * of a hidden test (visibility hidden, or after_due before dueAt) only its
 * name, verdict and points when the assignment's hiddenFeedback is
 * `verdict`, and nothing of it when it is `nothing` (the score still counts
 * it). A hidden test's input, expected output, output, stderr and feedback
 * never leave this function for a student.
 */

export type GradingStatus = "queued" | "running" | "finished" | "failed";

export interface GradingRow {
  id: string;
  kind: "test" | "submission" | "regrade";
  userId: string;
  submissionId: string | null;
  score: number | null;
  maxScore: number;
  compileError: boolean;
  compileOutput: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface ResultRow {
  position: number;
  testId: string | null;
  name: string;
  visibility: TestVisibility;
  maxPoints: number;
  points: number;
  verdict: Verdict;
  exitCode: number | null;
  signal: string | null;
  stdout: Uint8Array;
  stderr: Uint8Array;
  feedback: string | null;
  timeMs: number | null;
  memoryKb: number | null;
}

/** The test as it is now (the expected output of the diff comes from here, at view time). */
export interface TestRow {
  id: string;
  /** What a result matches when its test's id is gone (the tests were saved again: every test has a new id). */
  name?: string;
  visibility: TestVisibility;
  kind: string;
  spec: unknown;
}

export interface TestView {
  position: number;
  name: string;
  /** Hidden from students (a student sees only name, verdict and points of it). */
  hidden: boolean;
  verdict: Verdict;
  points: number;
  maxPoints: number;
  /** The rest: staff always, students for visible tests only. */
  timeMs?: number | null;
  memoryKb?: number | null;
  exitCode?: number | null;
  signal?: string | null;
  stdin?: string;
  args?: string[];
  /** Null when the test has no expected output (a command test) or is gone. */
  expectedStdout?: string | null;
  stdout?: string;
  stderr?: string;
  feedback?: string | null;
  /** Expected against actual output; null without an expected output or when too large. */
  diff?: DiffPart[] | null;
}

export interface GradingView {
  id: string;
  kind: GradingRow["kind"];
  status: GradingStatus;
  userId: string;
  submissionId: string | null;
  createdAt: string;
  finishedAt: string | null;
  /** Points of every test graded (hidden ones included), before any late penalty. */
  score: number | null;
  maxScore: number;
  compileError: boolean;
  compileOutput: string | null;
  tests: TestView[];
  /** Hidden tests left out of `tests` entirely (hiddenFeedback nothing): only their number is told. */
  omittedHiddenTests: number;
}

export interface Viewer {
  /** Course staff (canCourse "grade"): sees everything. */
  staff: boolean;
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");

/** Hidden from students now: the stricter of the visibility copied into the result and the test's current one. */
export function hiddenNow(visibility: TestVisibility, dueAt: Date, now: Date): boolean {
  return visibility === "hidden" || (visibility === "after_due" && now < dueAt);
}

/** queued/running from the execution; finished once the runner stored the results; failed when the execution ended without them. */
export function gradingStatus(finishedAt: Date | null, execution: ExecutionStatus | null): GradingStatus {
  if (finishedAt) return "finished";
  if (execution === "queued") return "queued";
  // succeeded but not finished: the runner is storing the results (it does both in one transaction, so only for a moment).
  if (execution === "running" || execution === "succeeded") return "running";
  return "failed";
}

/** The test's input and expected output, from its spec (io: expectedStdout; checker: the answer file). */
function testIo(test: TestRow | undefined): { stdin: string; args: string[]; expected: string | null } {
  const spec = (test?.spec ?? {}) as Record<string, unknown>;
  const stdin = typeof spec.stdin === "string" ? spec.stdin : "";
  const args = Array.isArray(spec.args) ? spec.args.filter((a): a is string => typeof a === "string") : [];
  const expected =
    test?.kind === "io" && typeof spec.expectedStdout === "string"
      ? spec.expectedStdout
      : test?.kind === "checker" && typeof spec.answer === "string"
        ? spec.answer
        : null;
  return { stdin, args, expected };
}

export function gradingView(
  input: {
    grading: GradingRow;
    executionStatus: ExecutionStatus | null;
    results: ResultRow[];
    tests: TestRow[];
    assignment: { dueAt: Date; hiddenFeedback: HiddenFeedback };
  },
  viewer: Viewer,
  now: Date,
): GradingView {
  const { grading, assignment } = input;
  const byId = new Map(input.tests.map((t) => [t.id, t]));
  // Saving the tests (the editor, PUT /tests, an import) makes every test anew: a result whose
  // test id is gone matches the current test of the same name, as the class view does.
  const byName = new Map(input.tests.flatMap((t) => (t.name === undefined ? [] : [[t.name, t] as const])));
  const tests: TestView[] = [];
  const diff = diffBudget();
  let omitted = 0;
  for (const r of [...input.results].sort((a, b) => a.position - b.position)) {
    const test = (r.testId ? byId.get(r.testId) : undefined) ?? byName.get(r.name);
    const hidden = hiddenNow(r.visibility, assignment.dueAt, now) || (test !== undefined && hiddenNow(test.visibility, assignment.dueAt, now));
    const head = { position: r.position, name: r.name, hidden, verdict: r.verdict, points: r.points, maxPoints: r.maxPoints };
    if (hidden && !viewer.staff) {
      if (assignment.hiddenFeedback === "nothing") omitted++;
      else tests.push(head);
      continue;
    }
    const io = testIo(test);
    const stdout = text(r.stdout);
    tests.push({
      ...head,
      timeMs: r.timeMs,
      memoryKb: r.memoryKb,
      exitCode: r.exitCode,
      signal: r.signal,
      stdin: io.stdin,
      args: io.args,
      expectedStdout: io.expected,
      stdout,
      stderr: text(r.stderr),
      feedback: r.feedback,
      diff: io.expected === null ? null : diff(io.expected, stdout),
    });
  }
  return {
    id: grading.id,
    kind: grading.kind,
    status: gradingStatus(grading.finishedAt, input.executionStatus),
    userId: grading.userId,
    submissionId: grading.submissionId,
    createdAt: grading.createdAt.toISOString(),
    finishedAt: grading.finishedAt?.toISOString() ?? null,
    score: grading.finishedAt ? grading.score : null,
    maxScore: grading.maxScore,
    compileError: grading.compileError,
    compileOutput: grading.compileOutput,
    tests,
    omittedHiddenTests: omitted,
  };
}
