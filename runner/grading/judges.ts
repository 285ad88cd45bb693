import type { Verdict } from "../../lib/classroom/verdicts";
import type { RunLimits } from "../../lib/executions/limits";
import type { GradingEnv } from "./env";

/**
 * The judges of checker and command tests (runner/grading/checker.ts and
 * command-test.ts), as the grader calls them (judges-wiring.ts wires the
 * real ones; a grader given none reports such tests as judge_error).
 */
export interface Judges {
  judgeWithChecker(
    env: GradingEnv,
    checker: { language: string; files: { name: string; content: string }[]; args: string[] },
    io: { input: Buffer; answer: Buffer; output: Buffer },
    cache: Map<string, Buffer>,
  ): Promise<{ verdict: "passed" | "wrong_answer" | "judge_error"; feedback: string }>;
  runCommandTest(
    env: GradingEnv,
    spec: { command: string; files: { name: string; content: string }[]; resultsFile: string },
    student: { files: { name: string; content: string }[]; build: Buffer | null },
    limits: RunLimits,
  ): Promise<{
    verdict: Verdict;
    fraction: number;
    feedback: string;
    stdout: Buffer;
    stderr: Buffer;
    timeMs: number | null;
    memoryKb: number | null;
  }>;
}
