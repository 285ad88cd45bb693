import { describe, expect, it } from "vitest";
import { gradingStatus, gradingView, hiddenNow, type ResultRow, type TestRow } from "../../lib/classroom/submissions/grading-view";
import { outputDiff } from "../../lib/classroom/submissions/diff";

/**
 * The redaction of hidden tests: the one function every route and page
 * shows results through. A student must never get a hidden test's input,
 * expected output, output, stderr or feedback, whatever the visibility
 * copied into the result or set on the test now.
 */
const due = new Date("2026-12-01T12:00:00Z");
const before = new Date(due.getTime() - 1000);
const after = new Date(due.getTime() + 1000);
const SECRET = "SECRET-42";

const test = (id: string, visibility: TestRow["visibility"], kind = "io"): TestRow => ({
  id,
  visibility,
  kind,
  spec: { stdin: `${SECRET} in ${id}`, args: [`--${SECRET}`], expectedStdout: `${SECRET} expected ${id}\n`, answer: `${SECRET} answer` },
});
const result = (position: number, testId: string | null, visibility: ResultRow["visibility"], verdict: ResultRow["verdict"] = "wrong_answer"): ResultRow => ({
  position,
  testId,
  name: `test ${position}`,
  visibility,
  maxPoints: 10,
  points: verdict === "passed" ? 10 : 0,
  verdict,
  exitCode: 0,
  signal: null,
  stdout: Buffer.from(`${SECRET} printed ${position}\n`),
  stderr: Buffer.from(`${SECRET} stderr ${position}`),
  feedback: `${SECRET} feedback`,
  timeMs: 12,
  memoryKb: 3400,
});
const grading = {
  id: "g1",
  kind: "submission" as const,
  userId: "u1",
  submissionId: "s1",
  score: 20,
  maxScore: 40,
  compileError: false,
  compileOutput: null,
  createdAt: due,
  finishedAt: due,
};
const tests = [test("t-vis", "visible"), test("t-hid", "hidden"), test("t-due", "after_due"), test("t-chk", "visible", "checker")];
const results = [
  result(3, "t-chk", "visible"),
  result(0, "t-vis", "visible", "passed"),
  result(1, "t-hid", "hidden", "passed"),
  result(2, "t-due", "after_due"),
];
const view = (opts: { staff: boolean; now: Date; hiddenFeedback?: "verdict" | "nothing"; tests?: TestRow[]; results?: ResultRow[] }) =>
  gradingView(
    {
      grading,
      executionStatus: "succeeded",
      results: opts.results ?? results,
      tests: opts.tests ?? tests,
      assignment: { dueAt: due, hiddenFeedback: opts.hiddenFeedback ?? "verdict" },
    },
    { staff: opts.staff },
    opts.now,
  );
const leaked = (v: unknown) => JSON.stringify(v).includes(SECRET);

describe("what a student sees of a grading", () => {
  it("visible tests in full: input, expected from the test row, output, stderr, diff, time, memory", () => {
    const v = view({ staff: false, now: before });
    expect(v.tests.map((t) => t.position)).toEqual([0, 1, 2, 3]);
    const visible = v.tests[0]!;
    expect(visible).toMatchObject({
      name: "test 0",
      hidden: false,
      verdict: "passed",
      points: 10,
      maxPoints: 10,
      stdin: `${SECRET} in t-vis`,
      args: [`--${SECRET}`],
      expectedStdout: `${SECRET} expected t-vis\n`,
      stdout: `${SECRET} printed 0\n`,
      stderr: `${SECRET} stderr 0`,
      timeMs: 12,
      memoryKb: 3400,
    });
    expect(visible.diff).toEqual([
      { kind: "expected", text: `${SECRET} expected t-vis\n` },
      { kind: "actual", text: `${SECRET} printed 0\n` },
    ]);
    // A checker test's expected output is its answer file.
    expect(v.tests[3]!.expectedStdout).toBe(`${SECRET} answer`);
    expect(v.score).toBe(20);
  });

  it("hidden and after_due (before dueAt) tests: name, verdict and points only", () => {
    const v = view({ staff: false, now: before });
    for (const t of v.tests.filter((t) => t.position === 1 || t.position === 2)) {
      expect(Object.keys(t).sort()).toEqual(["hidden", "maxPoints", "name", "points", "position", "verdict"]);
      expect(t.hidden).toBe(true);
      expect(leaked(t)).toBe(false);
    }
    expect(v.omittedHiddenTests).toBe(0);
  });

  it("after_due tests become visible once dueAt passed; hidden ones never do", () => {
    const v = view({ staff: false, now: after });
    expect(v.tests[2]).toMatchObject({ hidden: false, expectedStdout: `${SECRET} expected t-due\n`, stdout: `${SECRET} printed 2\n` });
    expect(Object.keys(v.tests[1]!)).not.toContain("stdout");
  });

  it("hiddenFeedback nothing: hidden tests are left out, only their number and the total remain", () => {
    const v = view({ staff: false, now: before, hiddenFeedback: "nothing" });
    expect(v.tests.map((t) => t.position)).toEqual([0, 3]);
    expect(v.omittedHiddenTests).toBe(2);
    expect(v.score).toBe(20);
    expect(v.maxScore).toBe(40);
    expect(JSON.stringify(v)).not.toContain("test 1");
  });

  it("a test made hidden after the grading is hidden now, even though the result says visible", () => {
    const v = view({ staff: false, now: after, tests: [test("t-vis", "hidden")], results: [result(0, "t-vis", "visible")] });
    expect(v.tests[0]!.hidden).toBe(true);
    expect(leaked(v)).toBe(false);
  });

  it("a result marked hidden stays hidden even if its test is visible now or gone", () => {
    const v = view({ staff: false, now: after, tests: [test("t-vis", "visible")], results: [result(0, "t-vis", "hidden"), result(1, null, "hidden")] });
    expect(v.tests.every((t) => t.hidden)).toBe(true);
    expect(leaked(v)).toBe(false);
  });

  it("a result whose test was saved again (a new id) takes the expected output of the test of its name; made hidden, it is hidden", () => {
    const resaved = { ...test("t-new", "visible"), name: "test 0" };
    const v = view({ staff: false, now: before, tests: [resaved], results: [result(0, "t-old", "visible")] });
    expect(v.tests[0]!.expectedStdout).toBe(`${SECRET} expected t-new\n`);
    expect(v.tests[0]!.diff).not.toBeNull();
    const hiddenNowView = view({ staff: false, now: before, tests: [{ ...resaved, visibility: "hidden" }], results: [result(0, "t-old", "visible")] });
    expect(hiddenNowView.tests[0]!.hidden).toBe(true);
    expect(leaked(hiddenNowView)).toBe(false);
  });

  it("no secret of a hidden test appears anywhere for any feedback setting or time", () => {
    const onlyHidden = [result(0, "t-hid", "hidden"), result(1, "t-due", "after_due")];
    for (const hiddenFeedback of ["verdict", "nothing"] as const) {
      expect(leaked(view({ staff: false, now: before, hiddenFeedback, results: onlyHidden }))).toBe(false);
    }
  });
});

describe("what staff see of a grading", () => {
  it("everything, hidden tests included (marked hidden), before and after dueAt", () => {
    for (const now of [before, after]) {
      const v = view({ staff: true, now, hiddenFeedback: "nothing" });
      expect(v.tests).toHaveLength(4);
      expect(v.tests[1]).toMatchObject({
        hidden: true,
        stdin: `${SECRET} in t-hid`,
        expectedStdout: `${SECRET} expected t-hid\n`,
        stderr: `${SECRET} stderr 1`,
        feedback: `${SECRET} feedback`,
      });
      expect(v.omittedHiddenTests).toBe(0);
    }
  });

  it("a result whose test is gone shows its output without an expected output or diff", () => {
    const v = view({ staff: true, now: after, results: [result(0, null, "visible")] });
    expect(v.tests[0]).toMatchObject({ expectedStdout: null, diff: null, stdout: `${SECRET} printed 0\n` });
  });
});

describe("grading status and score", () => {
  it("follows the execution until the results are stored", () => {
    expect(gradingStatus(null, "queued")).toBe("queued");
    expect(gradingStatus(null, "running")).toBe("running");
    expect(gradingStatus(due, "succeeded")).toBe("finished");
    expect(gradingStatus(null, "internal_error")).toBe("failed");
    expect(gradingStatus(null, null)).toBe("failed");
  });

  it("no score until finished", () => {
    const v = gradingView(
      { grading: { ...grading, finishedAt: null }, executionStatus: "queued", results: [], tests: [], assignment: { dueAt: due, hiddenFeedback: "verdict" } },
      { staff: false },
      before,
    );
    expect([v.status, v.score]).toEqual(["queued", null]);
  });

  it("hiddenNow: hidden always, after_due until dueAt", () => {
    expect(hiddenNow("hidden", due, after)).toBe(true);
    expect(hiddenNow("after_due", due, before)).toBe(true);
    expect(hiddenNow("after_due", due, due)).toBe(false);
    expect(hiddenNow("visible", due, before)).toBe(false);
  });
});

describe("the output diff", () => {
  it("runs of same, expected-only and actual-only lines; none when too large", () => {
    expect(outputDiff("a\nb\nc\n", "a\nx\nc\n")).toEqual([
      { kind: "same", text: "a\n" },
      { kind: "expected", text: "b\n" },
      { kind: "actual", text: "x\n" },
      { kind: "same", text: "c\n" },
    ]);
    expect(outputDiff("x".repeat(70_000), "y")).toBeNull();
  });
});
