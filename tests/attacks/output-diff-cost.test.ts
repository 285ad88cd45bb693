import { expect, it } from "vitest";
import { outputDiff } from "../../lib/classroom/submissions/diff";
import { gradingView, type ResultRow, type TestRow } from "../../lib/classroom/submissions/grading-view";

/**
 * A grading's view diffs each visible io test's expected output against the
 * stored output (up to 64 KiB each) with Myers' diff, whose cost is about
 * the square of the edit distance, in the web process's event loop. A
 * student's program printing 64 KiB of "b\n" against an expected output of
 * many lines made each view of the grading (the student's, reloaded at will,
 * and the teacher's) hold the web process for minutes per test (8,000 lines
 * took 28 s). A diff now gives up past a number of differing lines and one
 * view diffs a bounded number of bytes; past it the diff is not shown, the
 * outputs still are.
 */
const due = new Date("2026-12-01T12:00:00Z");
const expected = "a\n".repeat(32_000);
const printed = Buffer.from("b\n".repeat(32_000));

const tests: TestRow[] = Array.from({ length: 30 }, (_, i) => ({
  id: `t${i}`,
  visibility: "visible",
  kind: "io",
  spec: { stdin: "", args: [], expectedStdout: expected },
}));
const results: ResultRow[] = tests.map((t, i) => ({
  position: i,
  testId: t.id,
  name: `test ${i}`,
  visibility: "visible",
  maxPoints: 1,
  points: 0,
  verdict: "wrong_answer",
  exitCode: 0,
  signal: null,
  stdout: printed,
  stderr: Buffer.alloc(0),
  feedback: null,
  timeMs: 5,
  memoryKb: 1000,
}));

it("one crafted output diffed against a long expected output gives up in time", () => {
  expect(outputDiff(expected, printed.toString())).toBeNull();
  // A diff that is cheap is still made.
  expect(outputDiff("1\n2\n3\n", "1\n4\n3\n")).toEqual([
    { kind: "same", text: "1\n" },
    { kind: "expected", text: "2\n" },
    { kind: "actual", text: "4\n" },
    { kind: "same", text: "3\n" },
  ]);
});

it("a grading of 30 such tests is viewed without any diff", () => {
  const grading = {
    id: "g1",
    kind: "submission" as const,
    userId: "u1",
    submissionId: "s1",
    score: 0,
    maxScore: 30,
    compileError: false,
    compileOutput: null,
    createdAt: due,
    finishedAt: due,
  };
  for (const staff of [false, true]) {
    const view = gradingView(
      { grading, executionStatus: "succeeded", results, tests, assignment: { dueAt: due, hiddenFeedback: "verdict" } },
      { staff },
      new Date(due.getTime() - 1000),
    );
    expect(view.tests).toHaveLength(30);
    expect(view.tests.every((t) => t.diff === null && t.stdout === printed.toString())).toBe(true);
  }
});
