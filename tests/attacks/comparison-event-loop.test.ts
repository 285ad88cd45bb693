import { expect, it } from "vitest";
import { compareOutput } from "../../lib/classroom/compare";
import { gradeFiles } from "../../runner/grading/grade";
import { judges } from "../../runner/grading/judges-wiring";
import { attackSuite } from "../support/attack-suite";
import { gradedTest, judgeEnv } from "../support/judge-env";

/**
 * Outputs are compared in the runner's event loop. The whitespace-aware
 * modes split both sides into strings first: a program printing 16 MiB of
 * "1 " (a test whose output limit the teacher raised to the server's
 * maximum) became 8 million token strings, holding the loop 2.4 s (tokens)
 * to 4.3 s (numbers) per test and taking ~600 MB; 16 MiB of newlines did
 * the same to "ignore trailing whitespace". Every other run of the runner
 * (its output streams, watchdog timers, lock renewals) waited meanwhile.
 * The modes now walk both sides in step and stop at the first difference.
 */

it("comparing 16 MiB of tiny tokens or blank lines stops early and allocates no strings", () => {
  const tokens = Buffer.from("1 ".repeat(8 * 1024 * 1024));
  const blank = Buffer.from(`x${"\n".repeat(16 * 1024 * 1024)}`);
  const heap = process.memoryUsage().heapUsed;
  expect(compareOutput({ mode: "tokens" }, "1 2\n", tokens).match).toBe(false);
  expect(compareOutput({ mode: "numbers", absoluteTolerance: 0, relativeTolerance: 0 }, "1 2\n", tokens).match).toBe(false);
  expect(compareOutput({ mode: "trailing_whitespace" }, "x\n", blank).match).toBe(true);
  expect(compareOutput({ mode: "trailing_whitespace" }, "y\n", blank).match).toBe(false);
  expect(process.memoryUsage().heapUsed - heap).toBeLessThan(64 * 1024 * 1024);
});

attackSuite("output that holds the runner while it is compared", ({ driver }) => {
  it("16 MiB of tokens and of newlines per test never hold the event loop for a second", async () => {
    const { env } = judgeEnv(driver());
    const limits = { outputKb: 16 * 1024 };
    const tests = [
      gradedTest(0, { kind: "io", stdin: "t", expectedStdout: "1 2\n", comparison: { mode: "tokens" }, limits }),
      gradedTest(1, { kind: "io", stdin: "t", expectedStdout: "1 2\n", comparison: { mode: "numbers" }, limits }),
      gradedTest(2, { kind: "io", stdin: "n", expectedStdout: "x\n", comparison: { mode: "trailing_whitespace" }, limits }),
    ];
    const student = [
      "import sys",
      "mode = sys.stdin.read()",
      "sys.stdout.write('1 ' * (8 * 1024 * 1024 - 1024) if mode == 't' else 'x' + '\\n' * (16 * 1024 * 1024 - 1024))",
    ].join("\n");
    let last = performance.now();
    let longest = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 20);
    try {
      const outcome = await gradeFiles(env, { language: "python", files: [{ name: "main.py", content: student }], assignmentLimits: {}, tests }, judges);
      expect(outcome.results.map((r) => r.outcome.verdict)).toEqual(["wrong_answer", "wrong_answer", "passed"]);
    } finally {
      clearInterval(tick);
    }
    // Splitting held it 2.4-4.3 s per test; walking both sides, tens of milliseconds. Generous: shared machines.
    expect(longest).toBeLessThan(2000);
  }, 120_000);
});
