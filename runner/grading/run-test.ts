import type { TestDefinition } from "../../lib/classroom/tests/spec";
import type { RunLimits } from "../../lib/executions/limits";
import type { GradingEnv } from "./env";
import { runIoTest } from "./io-test";
import type { Judges } from "./judges";
import { runFields, runVerdict, type StudentProgram, type TestOutcome } from "./outcome";

/** One test of any kind, on the student's program (built once by the caller). */
export async function runTest(
  env: GradingEnv,
  test: TestDefinition,
  student: StudentProgram,
  limits: RunLimits,
  judges: Judges | null,
  checkerCache: Map<string, Buffer>,
): Promise<TestOutcome> {
  if (test.kind === "io") return runIoTest(env, test, student, limits);
  if (!judges) return unavailable(test.kind);
  if (test.kind === "checker") {
    // The student's program runs in its sandbox; the checker in one of its own, never with the student's.
    const result = await env.run({ language: student.language, files: student.files, build: student.build, stdin: test.stdin, args: test.args, limits });
    const fields = runFields(result);
    const decided = runVerdict(result);
    if (decided) return { ...fields, verdict: decided.verdict, fraction: 0, feedback: decided.feedback };
    const judged = await judges.judgeWithChecker(
      env,
      test.checker,
      { input: Buffer.from(test.stdin, "utf8"), answer: Buffer.from(test.answer, "utf8"), output: result.bytes.stdout },
      checkerCache,
    );
    return { ...fields, verdict: judged.verdict, fraction: judged.verdict === "passed" ? 1 : 0, feedback: judged.feedback || null };
  }
  const done = await judges.runCommandTest(
    env,
    { command: test.command, files: test.files, resultsFile: test.resultsFile },
    { files: student.files, build: student.build },
    limits,
  );
  return { ...done, fraction: Math.min(1, Math.max(0, done.fraction)), exitCode: null, signal: null, feedback: done.feedback || null };
}

function unavailable(kind: string): TestOutcome {
  return {
    verdict: "judge_error",
    fraction: 0,
    exitCode: null,
    signal: null,
    stdout: Buffer.alloc(0),
    stderr: Buffer.alloc(0),
    feedback: `${kind} tests cannot run on this runner`,
    timeMs: null,
    memoryKb: null,
  };
}
