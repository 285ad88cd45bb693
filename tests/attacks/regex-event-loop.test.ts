import { expect, it } from "vitest";
import { gradeFiles } from "../../runner/grading/grade";
import { judges } from "../../runner/grading/judges-wiring";
import { attackSuite } from "../support/attack-suite";
import { gradedTest, judgeEnv } from "../support/judge-env";

/**
 * A "regex" test's pattern is the teacher's and backtracks as JavaScript's
 * do; the output is the student's. The match was bounded to one second by a
 * vm timeout, but ran in the runner's event loop: a student's crafted output
 * against a pattern like (a+)+b held the whole runner (every other run's
 * streams, its watchdog's timers) a second per test, over and over. The
 * match now runs in a worker thread ended at its timeout.
 */

attackSuite("output that makes a teacher's regex backtrack", ({ driver }) => {
  it("a catastrophic match does not hold the runner's event loop, and still ends as no match", async () => {
    const { env } = judgeEnv(driver());
    const regex = { mode: "regex", flags: "" } as const;
    const tests = [
      gradedTest(0, { kind: "io", expectedStdout: "(a+)+b", comparison: regex }),
      gradedTest(1, { kind: "io", expectedStdout: "(a|aa)+$", comparison: regex }),
      gradedTest(2, { kind: "io", expectedStdout: "a+!\\n", comparison: regex }),
    ];
    let last = performance.now();
    let longest = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 20);
    try {
      const outcome = await gradeFiles(
        env,
        { language: "python", files: [{ name: "main.py", content: "print('a' * 60 + '!')\n" }], assignmentLimits: {}, tests },
        judges,
      );
      expect(outcome.results.map((r) => r.outcome.verdict)).toEqual(["wrong_answer", "wrong_answer", "passed"]);
      expect(outcome.results[0]!.outcome.feedback).toContain("took longer than 1000 ms");
    } finally {
      clearInterval(tick);
    }
    // In the loop, each of the first two held it for the whole 1 s timeout; in a worker, tens of milliseconds.
    expect(longest).toBeLessThan(900);
  }, 120_000);
});
