import type { Verdict } from "../../lib/classroom/verdicts";
import type { ProgramResult } from "../execution/execute";

/** One test's result, as stored in a TestResult row (runner/grading/store.ts). */
export interface TestOutcome {
  verdict: Verdict;
  /** 0..1 of the test's points (1 for passed; command tests may give a part). */
  fraction: number;
  exitCode: number | null;
  signal: string | null;
  stdout: Buffer;
  stderr: Buffer;
  feedback: string | null;
  timeMs: number | null;
  memoryKb: number | null;
}

/** The student's program as every test runs it: its files and the grading's one build. */
export interface StudentProgram {
  language: string;
  files: Array<{ name: string; content: string }>;
  /** The build tar (null: an interpreted language). */
  build: Buffer | null;
}

/** The user cancelled the grading's execution while it ran: nothing is stored but the cancellation. */
export class GradingCancelledError extends Error {
  constructor() {
    super("the grading was cancelled");
    this.name = "GradingCancelledError";
  }
}

/**
 * What the run itself decides, before any output is compared: a limit, a
 * crash (signal), an exit code other than the expected one. null: the program
 * ran to its end as it should; its output decides.
 */
export function runVerdict(result: ProgramResult, expectedExitCode?: number): { verdict: Verdict; feedback: string | null } | null {
  switch (result.status) {
    case "time_limit_exceeded":
      return { verdict: "time_limit", feedback: null };
    case "memory_limit_exceeded":
      return { verdict: "memory_limit", feedback: null };
    case "output_limit_exceeded":
      return { verdict: "output_limit", feedback: null };
    case "cancelled":
      throw new GradingCancelledError();
    case "succeeded":
    case "failed":
      break;
    default:
      // compile_error and internal_error never come from a run with a build in place.
      throw new Error(`a test run ended as ${result.status}`);
  }
  if (result.signal) return { verdict: "runtime_error", feedback: `killed by signal ${result.signal}` };
  if (expectedExitCode !== undefined) {
    return result.exitCode === expectedExitCode ? null : { verdict: "wrong_answer", feedback: `exit code ${result.exitCode}, expected ${expectedExitCode}` };
  }
  if (result.exitCode !== 0) return { verdict: "runtime_error", feedback: `exit code ${result.exitCode}` };
  return null;
}

/** The fields of a run every outcome keeps (time is wall time, as judges report it). */
export function runFields(result: ProgramResult): Pick<TestOutcome, "exitCode" | "signal" | "stdout" | "stderr" | "timeMs" | "memoryKb"> {
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    stdout: result.bytes.stdout,
    stderr: result.bytes.stderr,
    timeMs: result.wallTimeMs,
    memoryKb: result.memoryKb,
  };
}
