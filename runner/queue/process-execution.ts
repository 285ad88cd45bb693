import { UnrecoverableError } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Database } from "../../lib/db/client";
import type { RunMetrics } from "../../lib/metrics/runs";
import { storedBytes } from "../../lib/executions/encoding";
import { appendEvent, resetEvents } from "../../lib/executions/events";
import type { LimitPolicy, RunLimits } from "../../lib/executions/limits";
import type { OutputBudget } from "../../lib/executions/output-budget";
import { MAX_ATTEMPTS } from "../../lib/executions/queue";
import { isFinal } from "../../lib/executions/status";
import { clearStdin } from "../../lib/executions/stdin";
import { executionSummary, type ExecutionSummary } from "../../lib/executions/view";
import { appendResult, fitsAnswer } from "../../lib/executions/answer";
import { Prisma } from "../../lib/db/generated/client";
import type { CompileCache } from "../execution/compile-cache";
import { executeProgram, type ProgramResult } from "../execution/execute";
import { processGrading } from "../grading/process-grading";
import { forwardLiveInput } from "./live-input";
import { clearTerminalInput } from "../../lib/terminals/input";
import { terminalLanguage } from "../terminal/language";
import { superviseTerminal } from "../terminal/session";
import { FileDumpReader } from "../terminal/file-dump";
import type { LanguageDefinition } from "../languages/catalogue";
import type { SandboxDriver, SandboxHandle } from "../sandbox/driver";
import { EventBatcher } from "./event-batcher";
import { claimExecution, loadExecution } from "./claim";
import { recordStages, type StageTimer } from "../../lib/perf/stages";
import type { Watchdog } from "./watchdog";

export interface ProcessDeps {
  db: Database;
  redis: Redis;
  driver: SandboxDriver;
  languages: Map<string, LanguageDefinition>;
  diskMb: number;
  log: Logger;
  /** Runs in progress on this runner, for cancellation. */
  running: Map<string, SandboxHandle>;
  /** Set while the runner shuts down: runs it ends are retried, not reported. */
  stopping: boolean;
  /** At most this many runs of one account run at once (SAM_MAX_RUNNING_RUNS_PER_USER); unset: no cap. */
  maxRunningPerUser?: number;
  /** What an account's runs may stream through Redis (SAM_OUTPUT_BUDGET_*); unset: no budget. */
  outputBudget?: OutputBudget;
  /** Ends runs that outlive their limits whatever the sandbox does (see watchdog.ts). */
  watchdog: Watchdog;
  /** Queue wait, run durations, sandbox starts, runs in flight (lib/metrics/runs.ts); unset: not recorded. */
  metrics?: RunMetrics;
  /** The server's limit policy (SAM_LIMIT_*): each test of a grading resolves its limits against it; unset: the defaults. */
  limitPolicy?: LimitPolicy;
  /** A grading's total wall time, all its tests and checkers together (SAM_GRADING_MAX_SECONDS); unset: 10 minutes. */
  gradingMaxWallMs?: number;
  /** Time each run's stages and record them (SAM_STAGE_TIMINGS, lib/perf/stages.ts). */
  stageTimings?: boolean;
  /** Builds of unchanged compiled programs (SAM_COMPILE_CACHE, runner/execution/compile-cache.ts); unset: always compile. */
  compileCache?: CompileCache;
}

/** The run's account already has as many runs running as it may: the job waits and is tried again (worker.ts). */
export class AccountBusyError extends Error {
  constructor(readonly executionId: string) {
    super(`the account already has its most runs running; ${executionId} waits`);
    this.name = "AccountBusyError";
  }
}

/**
 * The execution row shows all its attempts used (stalls count: each claim is
 * an attempt), so BullMQ must not try again: the worker sends it to the dead
 * letters (dead-letters.ts). Each replay by an administrator allows MAX_ATTEMPTS more.
 */
export class AttemptsExhaustedError extends UnrecoverableError {
  constructor(
    readonly executionId: string,
    readonly attempts: number,
  ) {
    super(`the execution already had ${attempts} attempts`);
    this.name = "AttemptsExhaustedError";
  }
}

/** What the person reads when a result could not be stored (details go to the log). */
export const STORE_FAILED = "The program ran, but its result could not be saved (the database did not accept it); run it again.";
/** Pauses between tries to store a result: about 7 s in all before giving up. */
const STORE_RETRY_DELAYS_MS = [100, 300, 1000, 2000, 4000];

/**
 * One attempt at one execution. The database row is the single source of
 * truth: an execution already final (done by an earlier attempt, or
 * cancelled) is left alone, and the result is written only while the row is
 * still `running` for this attempt, so a retried run has one result, never two.
 */
export async function processExecution(deps: ProcessDeps, executionId: string, timer?: StageTimer): Promise<void> {
  const { db, redis } = deps;
  const execution = await loadExecution(db, executionId);
  timer?.lap("load");
  if (!execution || isFinal(execution.status)) return;
  if (execution.attempts >= MAX_ATTEMPTS * (1 + execution.replays)) throw new AttemptsExhaustedError(executionId, execution.attempts);
  const roomLanguage = deps.languages.get(execution.language);
  if (!roomLanguage) throw new Error(`this runner does not offer ${execution.language}`);
  // A room's terminal is a run whose program is a shell in a pseudo-terminal (runner/terminal/).
  const language = execution.terminal ? terminalLanguage(roomLanguage) : roomLanguage;

  const attempt = execution.attempts + 1;
  const claimed = await claimExecution(db, execution, attempt, deps.maxRunningPerUser);
  if (claimed === "busy") throw new AccountBusyError(executionId);
  if (claimed === "gone") return; // cancelled, or another runner took this attempt
  timer?.lap("claim");

  // A retry starts the live stream afresh: clients are told with the new attempt number.
  if (attempt > 1) await resetEvents(redis, executionId);
  await appendEvent(redis, executionId, "status", { status: "running", attempt });
  timer?.lap("status");
  if (execution.grading) {
    // A grading's execution grades its files against the assignment's tests instead of running them once.
    // The entry file goes first (the launcher runs the first file), wherever the workspace listed it.
    const files = execution.files.map((f) => ({ name: f.name, content: Buffer.from(f.content).toString("utf8") }));
    files.sort((a, b) => Number(b.name === language.entryFile) - Number(a.name === language.entryFile));
    return processGrading(deps, { executionId, gradingId: execution.grading.id, userId: execution.userId, attempt, files, queuedAt: execution.createdAt });
  }
  const budget = deps.outputBudget;
  const events = new EventBatcher(redis, executionId, budget ? (bytes) => budget.consume(execution.userId, bytes) : undefined);
  const live = new AbortController();
  let result: ProgramResult;
  const limits = execution.limits as unknown as RunLimits;
  const budgetMs = deps.watchdog.budgetMs(limits.wallTimeMs, language.compile ? language.compileSeconds : 0);
  const giveUp = (reason: string) => finishWithInternalError(deps, executionId, reason);
  const attemptEnded = deps.metrics?.attemptStarted({ language: execution.language, queuedAt: execution.createdAt, attempt });
  const sandboxAskedAt = performance.now();
  // A terminal's stderr is its pty wrapper's: answers about its files (runner/terminal/file-dump.ts), not output.
  const fileDumps = execution.terminal ? new FileDumpReader(redis, deps.log, executionId, (bytes) => events.add("stderr", bytes)) : undefined;
  try {
    result = await deps.watchdog.guard({ executionId, budgetMs, giveUp }, (signal) =>
      executeProgram(
        deps.driver,
        language,
        {
          files: execution.files.map((f) => ({ name: f.name, content: f.content })),
          stdin: execution.stdin,
          args: execution.args as string[],
          interactive: execution.interactive,
        },
        limits,
        deps.diskMb,
        {
          signal,
          // A build the compile cache keeps after this run's miss lives in Redis like its output: counted the same.
          chargeBuild: budget ? (bytes) => budget.consume(execution.userId, bytes) : undefined,
          chunk: (channel, bytes) => (fileDumps && channel === "stderr" ? fileDumps.push(bytes) : events.add(channel, bytes)),
          compiled: (ok) => void events.event(() => appendEvent(redis, executionId, "status", { status: ok ? "compiled" : "compile_error", attempt })),
          onHandle: (handle) => {
            deps.metrics?.sandboxStarted(sandboxAskedAt);
            deps.running.set(executionId, handle);
            if (execution.terminal && execution.roomId && handle.stdin) {
              const { idleMs } = execution.limits as { idleMs?: number };
              superviseTerminal({
                ...deps,
                executionId,
                roomId: execution.roomId,
                userId: execution.userId,
                idleMs: idleMs ?? 300_000,
                stdin: handle.stdin,
                kill: (reason) => handle.kill(reason),
                events,
                signal: live.signal,
              });
            } else if (execution.interactive && handle.stdin) {
              void forwardLiveInput({ redis, log: deps.log, executionId, stdin: handle.stdin, events, signal: live.signal });
            }
          },
        },
        deps.compileCache,
      ),
    );
    attemptEnded?.(deps.stopping ? undefined : result.status);
  } finally {
    attemptEnded?.(); // the attempt threw: counted as failed (a no-op after the line above)
    live.abort();
    deps.running.delete(executionId);
    events.flush();
    if (execution.interactive) void clearStdin(redis, executionId).catch(() => undefined);
    if (execution.terminal) void clearTerminalInput(redis, executionId).catch(() => undefined);
  }
  if (deps.stopping) throw new Error("the runner shut down during the run; retrying elsewhere");
  timer?.lap("sandbox");
  timer?.within("sandbox", result.stages);
  const stored = await storeResult(deps, executionId, attempt, result);
  timer?.lap("store");
  // Input that reached the terminal's stream after the clear above, while its row still said running: the row is
  // final now, so the input route drops any later piece itself (app/api/v1/rooms/[id]/terminal/input).
  if (execution.terminal) void clearTerminalInput(redis, executionId).catch(() => undefined);
  if (!stored) return;
  await publishResult(deps, executionId, events, { summary: stored, bytes: result.bytes });
  timer?.lap("publish");
  // After the live stream is done: what it counted is final then.
  await countStoredOutput(deps, execution.userId, executionId, result, events.counted);
  timer?.lap("count");
  if (timer) void recordStages(redis, executionId, timer.stages);
}

/**
 * Everything stored counts against the account's output budget, once: the
 * live stream counted what it sent (events.counted); what it did not (output
 * not streamed live, and compiler output, which is never streamed) is counted
 * here. A run already over the budget is still stored (it has run); the
 * account's next runs are refused until the window ends.
 */
async function countStoredOutput(deps: ProcessDeps, userId: string, executionId: string, result: ProgramResult, counted: number): Promise<void> {
  if (!deps.outputBudget) return;
  const { stdout, stderr, compileOutput } = result.bytes;
  const uncounted = stdout.length + stderr.length + (compileOutput?.length ?? 0) - counted;
  if (uncounted <= 0) return;
  await deps.outputBudget.consume(userId, uncounted).catch((err: Error) => {
    deps.log.warn({ executionId, err: err.message }, "could not count a run's stored output against its account's budget");
  });
}

/**
 * Writes the result, trying again while the database fails: the program has
 * run, and an error thrown from here would make BullMQ run it again. When no
 * try succeeds, the run ends as internal_error saying so in plain words (the
 * database's own message goes to the log); when even that cannot be written,
 * the job fails without a retry and the worker records it once more.
 * False when the row was no longer this attempt's to write (cancelled, or taken over).
 */
async function storeResult(deps: ProcessDeps, executionId: string, attempt: number, result: ProgramResult): Promise<ExecutionSummary | null> {
  // One statement that also returns the row (UPDATE ... RETURNING): the result event and the waiting
  // request's answer are made from it, with no read after the write (issue 13).
  const write = async () => {
    const compileOutput = result.bytes.compileOutput === null ? null : storedBytes(result.bytes.compileOutput);
    const rows = await deps.db.$queryRaw<SummaryRow[]>`
      UPDATE "Execution" SET
        "status" = ${result.status}::"ExecutionStatus", "exitCode" = ${result.exitCode}::int, "signal" = ${result.signal}::text,
        "stdout" = ${storedBytes(result.bytes.stdout)}::bytea, "stderr" = ${storedBytes(result.bytes.stderr)}::bytea,
        "compileOutput" = ${compileOutput}::bytea, "cpuTimeMs" = ${result.cpuTimeMs}::int, "wallTimeMs" = ${result.wallTimeMs}::int,
        "memoryKb" = ${result.memoryKb}::int, "truncated" = ${result.truncated}, "finishedAt" = now() AT TIME ZONE 'UTC'
      WHERE "id" = ${executionId}::uuid AND "status" = 'running' AND "attempts" = ${attempt}::int
      RETURNING ${SUMMARY_COLUMNS}`;
    return rows[0] ? executionSummary(rows[0]) : null;
  };
  try {
    return await withRetries(deps, executionId, "store the result", write);
  } catch (err) {
    deps.log.error({ executionId, err: (err as Error).message }, "could not store a run's result; it ends as internal_error (the program is not run again)");
    const ended = await withRetries(deps, executionId, "record that the result was lost", () => endAsInternalError(deps, executionId, STORE_FAILED)).catch(
      () => false,
    );
    if (!ended) throw new UnrecoverableError(STORE_FAILED);
    await publishResult(deps, executionId);
    return null;
  }
}

/** The columns executionSummary reads, as a RETURNING list. */
type SummaryRow = Parameters<typeof executionSummary>[0];
const SUMMARY_COLUMNS = Prisma.raw(
  [
    "id",
    "status",
    "language",
    "version",
    "exitCode",
    "signal",
    "cpuTimeMs",
    "wallTimeMs",
    "memoryKb",
    "truncated",
    "attempts",
    "error",
    "createdAt",
    "startedAt",
    "finishedAt",
  ]
    .map((c) => `"${c}"`)
    .join(", "),
);

export async function withRetries<T>(deps: Pick<ProcessDeps, "log">, executionId: string, what: string, fn: () => Promise<T>): Promise<T> {
  for (let tryNumber = 0; ; tryNumber++) {
    try {
      return await fn();
    } catch (err) {
      const pause = STORE_RETRY_DELAYS_MS[tryNumber];
      if (pause === undefined) throw err;
      deps.log.warn({ executionId, err: (err as Error).message, try: tryNumber + 1 }, `could not ${what}; trying again`);
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/**
 * The `result` event: the execution without its output (the SSE route reads the output from PostgreSQL).
 * With the stored row's summary and the output in hand (a run just stored), nothing is read: small output
 * also goes along as the answer of a waiting request (lib/executions/answer.ts). Never throws.
 */
export async function publishResult(
  deps: Pick<ProcessDeps, "db" | "redis" | "log">,
  executionId: string,
  events?: EventBatcher,
  stored?: { summary: ExecutionSummary; bytes: ProgramResult["bytes"] },
) {
  try {
    let summary = stored?.summary;
    if (!summary) {
      const row = await deps.db.execution.findUnique({ where: { id: executionId }, omit: { stdin: true, stdout: true, stderr: true, compileOutput: true } });
      if (!row) return;
      summary = executionSummary(row);
    }
    const answer = stored && fitsAnswer(stored.bytes) ? stored.bytes : undefined;
    const write = () => appendResult(deps.redis, summary, answer);
    // The result waits for live output still on its way, but not for long (see EventBatcher.finish).
    await (events ? events.finish(write) : write());
  } catch (err) {
    // Watchers still get the result: the SSE route falls back to the database when no event comes.
    deps.log.warn({ executionId, err: (err as Error).message }, "could not publish a run's result event");
  }
}

async function endAsInternalError(deps: Pick<ProcessDeps, "db">, executionId: string, reason: string): Promise<boolean> {
  const updated = await deps.db.execution.updateMany({
    where: { id: executionId, status: { in: ["queued", "running"] } },
    data: { status: "internal_error", error: reason.slice(0, 2000), finishedAt: new Date() },
  });
  return updated.count > 0;
}

/**
 * The last attempt failed for reasons of the infrastructure, not the program:
 * the run ends as internal_error. `reason` is what the person reads: plain
 * words, no internals (those go to the log).
 */
export async function finishWithInternalError(deps: Pick<ProcessDeps, "db" | "redis" | "log">, executionId: string, reason: string) {
  if (await endAsInternalError(deps, executionId, reason)) await publishResult(deps, executionId);
}

/** Cancellation from the API: a queued run is cancelled in the database; a running one is killed by its runner. */
export async function cancelRunning(deps: Pick<ProcessDeps, "running">, executionId: string): Promise<boolean> {
  const handle = deps.running.get(executionId);
  if (!handle) return false;
  await handle.kill("requested");
  return true;
}
