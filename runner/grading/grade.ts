import type { TestDefinition, TestLimits } from "../../lib/classroom/tests/spec";
import type { Verdict } from "../../lib/classroom/verdicts";
import type { GradingEnv } from "./env";
import type { Judges } from "./judges";
import type { TestOutcome } from "./outcome";
import { runTest } from "./run-test";
import { RESULT_OUTPUT_MAX_BYTES } from "./store";

/** A test as the grader gets it: its row's identity and its parsed definition (null: the stored spec is invalid). */
export interface GradedTestInput {
  id: string;
  position: number;
  name: string;
  points: number;
  visibility: "visible" | "hidden" | "after_due";
  definition: TestDefinition | null;
}

export interface GradingInput {
  language: string;
  files: Array<{ name: string; content: string }>;
  /** The assignment's default limits of every test. */
  assignmentLimits: TestLimits;
  tests: GradedTestInput[];
  /**
   * The whole grading's wall time (build, every test, checkers), from when
   * gradeFiles starts: no sandbox starts once it is spent, and each one's
   * wall-time limit is cut to what is left. Tests left without time are
   * time_limit. Unset: no bound beyond each test's own limits.
   */
  maxWallMs?: number;
}

export interface GradedTest {
  test: GradedTestInput;
  outcome: TestOutcome;
  points: number;
}

export interface GradingOutcome {
  compileError: boolean;
  compileOutput: string | null;
  results: GradedTest[];
  score: number;
  maxScore: number;
}

/**
 * Grades files against tests: ONE build (compiling, for a compiled
 * language), then each test in a fresh sandbox of its own, one after the
 * other (a grading holds one runner slot, like any run). A failed build is
 * compile_error for every test, once, with the compiler's output.
 */
export async function gradeFiles(fullEnv: GradingEnv, input: GradingInput, judges: Judges | null): Promise<GradingOutcome> {
  const env = input.maxWallMs === undefined ? fullEnv : withDeadline(fullEnv, Date.now() + input.maxWallMs);
  const buildLimits = env.limitsFor(input.language, input.assignmentLimits);
  const build = await env.build(input.language, input.files, buildLimits);
  const maxScore = input.tests.reduce((sum, t) => sum + t.points, 0);
  if (!build.ok) {
    const results = input.tests.map((test) => ({ test, outcome: emptyOutcome("compile_error", null), points: 0 }));
    return { compileError: true, compileOutput: build.output, results, score: 0, maxScore };
  }
  const student = { language: input.language, files: input.files, build: build.tar };
  const checkerCache = new Map<string, Buffer>();
  const results: GradedTest[] = [];
  for (const test of input.tests) {
    if (!test.definition) {
      results.push({ test, outcome: emptyOutcome("judge_error", "the test's stored definition is not valid; the teacher must fix it"), points: 0 });
      continue;
    }
    const limits = env.limitsFor(input.language, input.assignmentLimits, test.definition.limits);
    const outcome = await runTest(env, test.definition, student, limits, judges, checkerCache).catch((err: unknown) => {
      if (!(err instanceof GradingTimeSpentError)) throw err;
      return emptyOutcome(
        "time_limit",
        `not run (or cut short): the grading's total time of ${Math.round(input.maxWallMs! / 1000)} s was spent before this test`,
      );
    });
    // Stopped by the watchdog: the run it cut short is no verdict of the program's (not even the last one).
    if (env.signal.aborted) throw env.signal.reason instanceof Error ? env.signal.reason : new Error(String(env.signal.reason));
    results.push({
      test,
      outcome: { ...outcome, stdout: kept(outcome.stdout), stderr: kept(outcome.stderr) },
      points: roundPoints(test.points * outcome.fraction),
    });
  }
  return { compileError: false, compileOutput: null, results, score: roundPoints(results.reduce((s, r) => s + r.points, 0)), maxScore };
}

/**
 * What is kept of a test's output until the grading is stored: only what
 * storing keeps, as a COPY (a slice would hold the whole buffer). Holding
 * every test's full output (up to the output limit, 16 MiB at most, x 100
 * tests) until the end let one grading fill the runner's memory.
 */
function kept(bytes: Buffer): Buffer {
  if (bytes.length <= RESULT_OUTPUT_MAX_BYTES && bytes.buffer.byteLength <= 2 * RESULT_OUTPUT_MAX_BYTES) return bytes;
  return Buffer.from(bytes.subarray(0, RESULT_OUTPUT_MAX_BYTES));
}

/** Fewer milliseconds than this left: no sandbox starts (it could not do anything useful). */
export const GRADING_MIN_RUN_MS = 1000;

/** No sandbox may start: the grading's total time is spent. */
export class GradingTimeSpentError extends Error {
  constructor() {
    super("the grading's total time is spent");
    this.name = "GradingTimeSpentError";
  }
}

/**
 * The env with every sandbox (the student's runs, checkers and their builds,
 * test commands) bounded by the grading's deadline: a grading of many tests
 * at the largest limits, each with a checker, would otherwise hold a runner
 * slot for hours (100 tests x (60 s + a 20 s checker)), at the priority of a
 * student's Test.
 */
function withDeadline(env: GradingEnv, deadline: number): GradingEnv {
  // Only the wall time is cut: it is the runner's own clock, while the CPU limit picks the warm container a run gets.
  const cut = <L extends { wallTimeMs: number }>(limits: L): L => {
    const left = deadline - Date.now();
    if (left < GRADING_MIN_RUN_MS) throw new GradingTimeSpentError();
    return { ...limits, wallTimeMs: Math.min(limits.wallTimeMs, left) };
  };
  return {
    ...env,
    build: (language, files, limits) => env.build(language, files, cut(limits ?? env.limitsFor(language))),
    run: (program) => env.run({ ...program, limits: cut(program.limits) }),
  };
}

function emptyOutcome(verdict: Verdict, feedback: string | null): TestOutcome {
  return { verdict, fraction: 0, exitCode: null, signal: null, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), feedback, timeMs: null, memoryKb: null };
}

/** Points to 1/1000: a fraction of a test's points never shows as 0.30000000000000004. */
function roundPoints(points: number): number {
  return Math.round(points * 1000) / 1000;
}
