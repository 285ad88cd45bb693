import { compareOutput } from "../../lib/classroom/compare";
import type { RunLimits } from "../../lib/executions/limits";
import type { z } from "zod";
import type { ioSpecSchema } from "../../lib/classroom/tests/spec";
import type { GradingEnv } from "./env";
import { regexMatchOffThread } from "./regex-off-thread";
import { runFields, runVerdict, type StudentProgram, type TestOutcome } from "./outcome";

type IoSpec = z.infer<typeof ioSpecSchema>;

/**
 * An input/output test: the student's program runs in a fresh sandbox with
 * ONLY its files, the build, this test's stdin and args; the expected output
 * stays here and is compared in this process (lib/classroom/compare/).
 */
export async function runIoTest(env: GradingEnv, spec: IoSpec, student: StudentProgram, limits: RunLimits): Promise<TestOutcome> {
  const result = await env.run({ language: student.language, files: student.files, build: student.build, stdin: spec.stdin, args: spec.args, limits });
  const fields = runFields(result);
  const decided = runVerdict(result, spec.expectedExitCode);
  if (decided) return { ...fields, verdict: decided.verdict, fraction: 0, feedback: decided.feedback };
  // A regular expression is matched in a worker thread (it may take its whole second); the other modes are linear.
  const compared =
    spec.comparison.mode === "regex"
      ? await regexMatchOffThread(spec.expectedStdout, spec.comparison.flags, result.bytes.stdout)
      : compareOutput(spec.comparison, spec.expectedStdout, result.bytes.stdout);
  if (compared.match) return { ...fields, verdict: "passed", fraction: 1, feedback: null };
  return { ...fields, verdict: compared.judgeError ? "judge_error" : "wrong_answer", fraction: 0, feedback: compared.note ?? null };
}
