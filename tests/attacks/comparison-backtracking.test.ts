import { expect, it } from "vitest";
import { compareOutput } from "../../lib/classroom/compare";
import { gradeFiles } from "../../runner/grading/grade";
import { judges } from "../../runner/grading/judges-wiring";
import { attackSuite } from "../support/attack-suite";
import { gradedTest, judgeEnv } from "../support/judge-env";

/**
 * The "numbers" comparison told a numeric token by a regular expression
 * (\d+\.?\d* then the end anchor) that backtracks in quadratic time, in the
 * runner's own event loop with no timeout around it: a student whose program
 * printed a million digits and a letter (within the default 1 MiB output
 * limit) on a visible "numbers" test held the runner for days with one Test
 * click (80,000 digits already took 13 s), and the retries of the stalled
 * job then held the next runners too. The token is now read in one pass.
 */

const numbers = { mode: "numbers", absoluteTolerance: 1e-6, relativeTolerance: 1e-6 } as const;

it("a long run of digits ending in a letter is compared in linear time", () => {
  const started = Date.now();
  for (const payload of [`${"1".repeat(1_000_000)}x`, `-${"9".repeat(1_000_000)}.`, `${"1".repeat(500_000)}e${"1".repeat(500_000)}-`]) {
    expect(compareOutput(numbers, "5\n", Buffer.from(`${payload}\n`)).match).toBe(false);
  }
  // Unbounded, these took days; linear, well under a second. A generous bound: the machines are shared.
  expect(Date.now() - started).toBeLessThan(20_000);
  // The rule itself is unchanged.
  expect(compareOutput(numbers, "1.5 2e3 .5 -7.\n", Buffer.from("1.5000001 2000 0.5 -7\n")).match).toBe(true);
  expect(compareOutput(numbers, "1\n", Buffer.from("1e\n")).match).toBe(false);
  expect(compareOutput(numbers, "1\n", Buffer.from(".\n")).match).toBe(false);
});

attackSuite("output that makes comparison backtrack", ({ driver }) => {
  it("a student's million digits and a letter on a numbers test do not hold the runner", async () => {
    const { env } = judgeEnv(driver());
    const tests = [gradedTest(0, { kind: "io", expectedStdout: "5\n", comparison: numbers })];
    const student = "import sys\nsys.stdout.write('1' * 1000000 + 'x\\n')\n";
    const started = Date.now();
    const outcome = await gradeFiles(env, { language: "python", files: [{ name: "main.py", content: student }], assignmentLimits: {}, tests }, judges);
    expect(outcome.results[0]!.outcome.verdict).toBe("wrong_answer");
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});
