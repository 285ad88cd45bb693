import { expect, it } from "vitest";
import { gradeFiles } from "../../runner/grading/grade";
import { judges } from "../../runner/grading/judges-wiring";
import { attackSuite } from "../support/attack-suite";
import { gradedTest, judgeEnv } from "../support/judge-env";

/**
 * Anyone may create a course, so a teacher is a stranger too. An assignment
 * of 100 tests at the largest limits (60 s each), each with a checker that
 * spins for its own 20 s, made one grading (one "Test" click of a student,
 * at interactive priority) hold a runner slot for hours: the watchdog's
 * budget was the sum of every test's limits. A grading now has one total
 * wall time (SAM_GRADING_MAX_SECONDS): no sandbox starts once it is spent,
 * each one's limits are cut to what is left, and the tests left over are
 * time_limit.
 */

attackSuite("a grading that never ends", ({ driver }) => {
  it("student programs that sleep through every test's limit end with the grading's total time", async () => {
    const { env, sandboxes } = judgeEnv(driver());
    const tests = Array.from({ length: 20 }, (_, i) =>
      gradedTest(i, { kind: "io", stdin: "", expectedStdout: "x\n", limits: { wallTimeMs: 60_000, cpuTimeMs: 30_000 } }),
    );
    const started = Date.now();
    const outcome = await gradeFiles(
      env,
      { language: "python", files: [{ name: "main.py", content: "import time\ntime.sleep(3600)\n" }], assignmentLimits: {}, tests, maxWallMs: 6_000 },
      judges,
    );
    const tookMs = Date.now() - started;
    // Without the bound: 20 x 60 s. With it: 6 s, and the last sandbox's own start and end.
    expect(tookMs).toBeLessThan(25_000);
    expect(outcome.results).toHaveLength(20);
    expect(outcome.results.every((r) => r.outcome.verdict === "time_limit")).toBe(true);
    expect(outcome.results.at(-1)!.outcome.feedback).toContain("total time of 6 s");
    expect(sandboxes.run).toBeLessThanOrEqual(2);
    expect(outcome.score).toBe(0);
  }, 60_000);

  it("a teacher's checker that spins is cut at the grading's total time too", async () => {
    const { env } = judgeEnv(driver());
    const spin = { language: "bash", files: [{ name: "check.sh", content: "while :; do :; done\n" }], args: [] };
    const tests = Array.from({ length: 20 }, (_, i) => gradedTest(i, { kind: "checker", stdin: "", answer: "x\n", checker: spin }));
    const started = Date.now();
    const outcome = await gradeFiles(
      env,
      { language: "python", files: [{ name: "main.py", content: "print('x')\n" }], assignmentLimits: {}, tests, maxWallMs: 8_000 },
      judges,
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    const verdicts = outcome.results.map((r) => r.outcome.verdict);
    expect(verdicts[0]).toBe("judge_error");
    expect(verdicts.at(-1)).toBe("time_limit");
  }, 60_000);
});
