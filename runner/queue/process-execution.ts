import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Database } from "../../lib/db/client";
import { appendEvent, resetEvents } from "../../lib/executions/events";
import type { RunLimits } from "../../lib/executions/limits";
import { MAX_ATTEMPTS } from "../../lib/executions/queue";
import { isFinal, type ExecutionStatus } from "../../lib/executions/status";
import { executionView } from "../../lib/executions/view";
import { executeProgram, type ProgramResult } from "../execution/execute";
import { forwardLiveInput } from "./live-input";
import type { LanguageDefinition } from "../languages/catalogue";
import type { SandboxDriver, SandboxHandle } from "../sandbox/driver";
import { EventBatcher } from "./event-batcher";
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
  /** Ends runs that outlive their limits whatever the sandbox does (see watchdog.ts). */
  watchdog: Watchdog;
}

/**
 * One attempt at one execution. The database row is the single source of
 * truth: an execution already final (done by an earlier attempt, or
 * cancelled) is left alone, and the result is written only while the row is
 * still `running` for this attempt, so a retried run has one result, never two.
 */
export async function processExecution(deps: ProcessDeps, executionId: string): Promise<void> {
  const { db, redis } = deps;
  const execution = await db.execution.findUnique({ where: { id: executionId } });
  if (!execution || isFinal(execution.status as ExecutionStatus)) return;
  if (execution.attempts >= MAX_ATTEMPTS) {
    await finishWithInternalError(deps, executionId, execution.error ?? `gave up after ${MAX_ATTEMPTS} attempts`);
    return;
  }
  const language = deps.languages.get(execution.language);
  if (!language) throw new Error(`this runner does not offer ${execution.language}`);

  const attempt = execution.attempts + 1;
  const claimed = await db.execution.updateMany({
    where: { id: executionId, status: { in: ["queued", "running"] }, attempts: execution.attempts },
    data: { status: "running", attempts: attempt, startedAt: new Date() },
  });
  if (claimed.count === 0) return; // cancelled, or another runner took this attempt

  // A retry starts the live stream afresh: clients are told with the new attempt number.
  if (attempt > 1) await resetEvents(redis, executionId);
  await appendEvent(redis, executionId, "status", { status: "running", attempt });
  const events = new EventBatcher(redis, executionId);
  const live = new AbortController();
  let result: ProgramResult;
  const limits = execution.limits as unknown as RunLimits;
  const budgetMs = deps.watchdog.budgetMs(limits.wallTimeMs, language.compile ? language.compileSeconds : 0);
  const giveUp = (reason: string) => finishWithInternalError(deps, executionId, reason);
  try {
    result = await deps.watchdog.guard({ executionId, budgetMs, giveUp }, (signal) => executeProgram(
      deps.driver,
      language,
      {
        files: execution.files as Array<{ name: string; content: string }>,
        stdin: execution.stdin,
        args: execution.args as string[],
        interactive: execution.interactive,
      },
      limits,
      deps.diskMb,
      {
        signal,
        chunk: (channel, text) => events.add(channel, text),
        compiled: (ok) => void events.event(() => appendEvent(redis, executionId, "status", { status: ok ? "compiled" : "compile_error", attempt })),
        onHandle: (handle) => {
          deps.running.set(executionId, handle);
          if (execution.interactive && handle.stdin) {
            void forwardLiveInput({ redis, log: deps.log, executionId, stdin: handle.stdin, events, signal: live.signal });
          }
        },
      },
    ));
  } finally {
    live.abort();
    deps.running.delete(executionId);
    events.flush();
  }
  if (deps.stopping) throw new Error("the runner shut down during the run; retrying elsewhere");
  const written = await db.execution.updateMany({
    where: { id: executionId, status: "running", attempts: attempt },
    data: {
      status: result.status,
      exitCode: result.exitCode,
      signal: result.signal,
      stdout: result.stdout,
      stderr: result.stderr,
      compileOutput: result.compileOutput,
      cpuTimeMs: result.cpuTimeMs,
      wallTimeMs: result.wallTimeMs,
      memoryKb: result.memoryKb,
      truncated: result.truncated,
      finishedAt: new Date(),
    },
  });
  if (written.count === 0) return;
  await publishResult(deps, executionId, events);
}

async function publishResult(deps: ProcessDeps, executionId: string, events?: EventBatcher) {
  const row = await deps.db.execution.findUnique({ where: { id: executionId } });
  if (!row) return;
  const write = () => appendEvent(deps.redis, executionId, "result", executionView(row));
  await (events ? events.event(write) : write());
}

/** The last attempt failed for reasons of the infrastructure, not the program: the run ends as internal_error, reason kept. */
export async function finishWithInternalError(deps: Pick<ProcessDeps, "db" | "redis">, executionId: string, reason: string) {
  const updated = await deps.db.execution.updateMany({
    where: { id: executionId, status: { in: ["queued", "running"] } },
    data: { status: "internal_error", error: reason.slice(0, 2000), finishedAt: new Date() },
  });
  if (updated.count > 0) await publishResult(deps as ProcessDeps, executionId);
}

/** Cancellation from the API: a queued run is cancelled in the database; a running one is killed by its runner. */
export async function cancelRunning(deps: Pick<ProcessDeps, "running">, executionId: string): Promise<boolean> {
  const handle = deps.running.get(executionId);
  if (!handle) return false;
  await handle.kill("requested");
  return true;
}
