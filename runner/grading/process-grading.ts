import { appendCourseEvent } from "../../lib/classroom/events";
import { definitionOf, testLimitsSchema, type TestDefinition } from "../../lib/classroom/tests/spec";
import { DEFAULT_POLICY } from "../../lib/executions/limits";
import type { LanguageDefinition } from "../languages/catalogue";
import { finishWithInternalError, type ProcessDeps, publishResult, STORE_FAILED, withRetries } from "../queue/process-execution";
import { UNPACK_SECONDS } from "./build";
import type { GradingEnv } from "./env";
import { type GradedTestInput, gradeFiles } from "./grade";
import { judges } from "./judges-wiring";
import { GradingCancelledError } from "./outcome";
import { limitResolver, sandboxGradingEnv } from "./sandbox-env";
import { testsToRun } from "./select-tests";
import { storeGrading } from "./store";

/** Beyond each sandbox's own limits: making and removing its container, in the watchdog's budget. */
const RUN_OVERHEAD_MS = 5_000;
/** A grading's total wall time when the runner sets none (SAM_GRADING_MAX_SECONDS). */
export const DEFAULT_GRADING_MAX_WALL_MS = 600_000;

export interface GradingAttempt {
  executionId: string;
  gradingId: string;
  /** The account the grading's execution counts against (its output budget). */
  userId: string;
  attempt: number;
  files: Array<{ name: string; content: string }>;
  queuedAt: Date;
}

/**
 * One attempt at a grading (the execution was claimed for it by
 * processExecution, which keeps its guarantees: claim per attempt, the
 * account's running cap, retries when the sandbox fails). The tests are read
 * now (a re-grade uses the fixed tests), run under ONE watchdog budget that
 * covers all of them, and stored in one transaction; then the course hears of it.
 */
export async function processGrading(deps: ProcessDeps, run: GradingAttempt): Promise<void> {
  const { db, log } = deps;
  const grading = await db.grading.findUniqueOrThrow({
    where: { id: run.gradingId },
    include: { assignment: { select: { id: true, courseId: true, dueAt: true, language: true, limits: true } } },
  });
  const { assignment } = grading;
  const rows = await db.assignmentTest.findMany({ where: { assignmentId: assignment.id }, orderBy: { position: "asc" } });
  const tests: GradedTestInput[] = testsToRun(grading.kind, rows, assignment.dueAt, new Date()).map((row) => ({
    id: row.id,
    position: row.position,
    name: row.name,
    points: row.points,
    visibility: row.visibility,
    definition: parsedDefinition(row, log),
  }));
  const assignmentLimits = testLimitsSchema.safeParse(assignment.limits);
  const policy = deps.limitPolicy ?? DEFAULT_POLICY;

  const startedAt = Date.now();
  const attemptEnded = deps.metrics?.attemptStarted({ language: assignment.language, queuedAt: run.queuedAt, attempt: run.attempt });
  let askedAt = performance.now();
  let outcome: Awaited<ReturnType<typeof gradeFiles>>;
  const limits = assignmentLimits.success ? assignmentLimits.data : {};
  const limitsFor = limitResolver(policy, deps.languages);
  // At least 10 s: the build runs under it too, and a grading with no time for it would fail, not score.
  const maxWallMs = Math.max(10_000, deps.gradingMaxWallMs ?? DEFAULT_GRADING_MAX_WALL_MS);
  const guarded = {
    executionId: run.executionId,
    budgetMs: Math.min(
      budgetMs(limitsFor, deps, assignment.language, limits, tests),
      // No sandbox starts past maxWallMs; the last ones started may still make and remove their containers and unpack.
      deps.watchdog.budgetMs(maxWallMs + 3 * (RUN_OVERHEAD_MS + UNPACK_SECONDS * 1000), deps.languages.get(assignment.language)?.compileSeconds ?? 0),
    ),
    giveUp: (reason: string) => finishWithInternalError(deps, run.executionId, reason),
  };
  const budget = deps.outputBudget;
  try {
    outcome = await deps.watchdog.guard(guarded, (signal) => {
      const env = sandboxGradingEnv({
        driver: deps.driver,
        languages: deps.languages,
        diskMb: deps.diskMb,
        policy,
        signal,
        log,
        onSandbox: () => (askedAt = performance.now()),
        onHandle: (handle) => {
          deps.metrics?.sandboxStarted(askedAt);
          deps.running.set(run.executionId, handle);
        },
        compileCache: deps.compileCache,
        // The build it keeps lives in Redis like the account's output: counted the same (compile-cache.ts).
        chargeBuild: budget ? (bytes) => budget.consume(run.userId, bytes) : undefined,
      });
      return gradeFiles(env, { language: assignment.language, files: run.files, assignmentLimits: limits, tests, maxWallMs }, judges);
    });
    attemptEnded?.(deps.stopping ? undefined : "succeeded");
  } catch (err) {
    if (err instanceof GradingCancelledError && !deps.stopping) {
      // Cancelled while it ran (cancelRunning): the execution ends cancelled, the grading has no results.
      attemptEnded?.("cancelled");
      deps.running.delete(run.executionId);
      await withRetries(deps, run.executionId, "record the cancellation", () =>
        db.execution.updateMany({
          where: { id: run.executionId, status: "running", attempts: run.attempt },
          data: { status: "cancelled", finishedAt: new Date() },
        }),
      );
      await publishResult(deps, run.executionId);
      return;
    }
    throw err;
  } finally {
    attemptEnded?.();
    deps.running.delete(run.executionId);
  }
  if (deps.stopping) throw new Error("the runner shut down during the grading; retrying elsewhere");

  const ids = { executionId: run.executionId, gradingId: run.gradingId, attempt: run.attempt };
  let stored: boolean;
  try {
    stored = await withRetries(deps, run.executionId, "store the grading", () => storeGrading(db, ids, outcome, Date.now() - startedAt));
  } catch (err) {
    log.error({ executionId: run.executionId, err: (err as Error).message }, "could not store a grading; it ends as internal_error");
    await finishWithInternalError(deps, run.executionId, STORE_FAILED);
    return;
  }
  if (!stored) return;
  await publishResult(deps, run.executionId);
  await appendCourseEvent(deps.redis, assignment.courseId, "grading", {
    assignmentId: assignment.id,
    gradingId: grading.id,
    kind: grading.kind,
    userId: grading.userId,
    submissionId: grading.submissionId,
    regradeSetId: grading.regradeSetId,
    score: outcome.score,
    maxScore: outcome.maxScore,
    finishedAt: new Date().toISOString(),
  }).catch((err: Error) => log.warn({ gradingId: grading.id, err: err.message }, "could not publish a grading's course event"));
}

function parsedDefinition(row: Parameters<typeof definitionOf>[0] & { id: string }, log: ProcessDeps["log"]): TestDefinition | null {
  try {
    return definitionOf(row);
  } catch (err) {
    log.error({ testId: row.id, err: (err as Error).message }, "a stored test does not parse; it is judged judge_error");
    return null;
  }
}

/**
 * The watchdog's budget for the whole grading: the build (compile limit and
 * packing), then for each test its sandbox's limits (wall time, unpacking, a
 * checker's own run and compile) plus making the container, and one grace.
 */
function budgetMs(limitsFor: GradingEnv["limitsFor"], deps: ProcessDeps, languageName: string, assignmentLimits: object, tests: GradedTestInput[]): number {
  const language = deps.languages.get(languageName) as LanguageDefinition;
  const buildLimits = limitsFor(languageName, assignmentLimits);
  let wall = language.compile ? Math.max(buildLimits.wallTimeMs, 10_000) + RUN_OVERHEAD_MS : 0;
  for (const test of tests) {
    const limits = limitsFor(languageName, assignmentLimits, test.definition?.limits);
    wall += limits.wallTimeMs + (language.compile ? UNPACK_SECONDS * 1000 : 0) + RUN_OVERHEAD_MS;
    if (test.definition?.kind === "checker") {
      const checker = deps.languages.get(test.definition.checker.language);
      const checkerLimits = checker ? limitsFor(checker.language) : limits;
      wall += 2 * (checkerLimits.wallTimeMs + RUN_OVERHEAD_MS) + (checker?.compile ? checker.compileSeconds * 1000 : 0);
    }
  }
  return deps.watchdog.budgetMs(wall, language.compile ? language.compileSeconds : 0);
}
