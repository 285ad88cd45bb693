import { expect, it } from "vitest";
import { gradeFiles } from "../../runner/grading/grade";
import { judges } from "../../runner/grading/judges-wiring";
import { RESULT_OUTPUT_MAX_BYTES } from "../../runner/grading/store";
import { attackSuite } from "../support/attack-suite";
import { gradedTest, judgeEnv } from "../support/judge-env";

/**
 * A grading kept every test's whole output (stdout and stderr, each up to
 * the test's output limit: 16 MiB at the server's maximum) in the runner's
 * memory until the last test ended, though only RESULT_OUTPUT_MAX_BYTES of
 * each is ever stored: a program printing just under the limit in each of
 * 100 tests made one grading hold ~1.6 GiB. What is kept per test is now a
 * copy of what is stored, made as each test ends.
 */

attackSuite("output held by a grading", ({ driver }) => {
  it("each test's output is held only up to what is stored, in buffers of that size", async () => {
    const { env } = judgeEnv(driver());
    // ~3.5 MiB on stdout (1000 KiB, the right answer, for stdin "p") and 0.25 MiB on stderr per test, under a 4 MiB output limit.
    const student = [
      "import sys",
      "n = 1000 if sys.stdin.read() == 'p' else 3500",
      "sys.stdout.write('y' * (n * 1024))",
      "sys.stderr.write('e' * (256 * 1024))",
    ].join("\n");
    const tests = [
      ...Array.from({ length: 3 }, (_, i) => gradedTest(i, { kind: "io", expectedStdout: "x\n", limits: { outputKb: 4096 } })),
      // The output is compared in full before it is cut.
      gradedTest(3, { kind: "io", stdin: "p", expectedStdout: "y".repeat(1000 * 1024), comparison: { mode: "exact" }, limits: { outputKb: 4096 } }),
    ];
    const outcome = await gradeFiles(env, { language: "python", files: [{ name: "main.py", content: student }], assignmentLimits: {}, tests }, judges);
    expect(outcome.results.map((r) => r.outcome.verdict)).toEqual(["wrong_answer", "wrong_answer", "wrong_answer", "passed"]);
    for (const { outcome: o } of outcome.results) {
      expect(o.stdout.length).toBe(RESULT_OUTPUT_MAX_BYTES);
      expect(o.stderr.length).toBe(RESULT_OUTPUT_MAX_BYTES);
      // Not a view of the whole output: the memory behind it is only what is kept.
      expect(o.stdout.buffer.byteLength).toBeLessThanOrEqual(2 * RESULT_OUTPUT_MAX_BYTES);
      expect(o.stderr.buffer.byteLength).toBeLessThanOrEqual(2 * RESULT_OUTPUT_MAX_BYTES);
    }
  }, 120_000);
});
