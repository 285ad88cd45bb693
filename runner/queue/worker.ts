import { DelayedError, UnrecoverableError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { isDatabaseUnavailable } from "../../lib/db/unavailable";
import { EXECUTION_QUEUE, MAX_ATTEMPTS, type ExecutionJob } from "../../lib/executions/queue";
import { SandboxInfrastructureError } from "../sandbox/driver";
import { AccountBusyError, finishWithInternalError, processExecution, type ProcessDeps } from "./process-execution";

/** A run whose account has its most runs running waits this long (plus a little jitter) before it is tried again. */
const BUSY_WAIT_MS = 1000;
/** A run taken while PostgreSQL is unreachable waits this long (plus jitter) before it is tried again, as often as it takes. */
const DATABASE_WAIT_MS = 2000;

export interface WorkerOptions {
  connection: Redis;
  concurrency: number;
  queueName?: string;
  /** How long a job's lock lives without renewal; a runner that dies mid-run loses the job after this. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/**
 * The BullMQ worker that executes runs. A thrown error (only the sandbox failing
 * throws) retries the job with backoff; after the last attempt, or a job that
 * stalled too often, the execution ends as internal_error, its `error` saying
 * in plain words what failed (the details go to the log). A run whose account
 * already has its most runs running is moved back to the delayed set (BullMQ's
 * DelayedError: not an attempt) and tried again shortly, so other accounts'
 * runs go first meanwhile.
 */
export function createExecutionWorker(deps: ProcessDeps, options: WorkerOptions): Worker<ExecutionJob> {
  const worker = new Worker<ExecutionJob>(
    options.queueName ?? EXECUTION_QUEUE,
    async (job: Job<ExecutionJob>, token?: string) => {
      try {
        await processExecution(deps, job.data.executionId);
      } catch (err) {
        // The database down is no fault of the run: not an attempt (three of them would be spent in a second
        // of outage, and the run could not even be marked failed). A result already computed is not at stake
        // here: storing it retries by itself (process-execution.ts).
        const wait = err instanceof AccountBusyError ? BUSY_WAIT_MS : isDatabaseUnavailable(err) ? DATABASE_WAIT_MS : undefined;
        if (wait === undefined) throw err;
        await job.moveToDelayed(Date.now() + wait + Math.floor(Math.random() * 250), token);
        throw new DelayedError();
      }
    },
    {
      connection: options.connection,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? 15_000,
      stalledInterval: options.stalledIntervalMs ?? 5_000,
      maxStalledCount: MAX_ATTEMPTS - 1,
    },
  );
  worker.on("failed", (job, err) => {
    if (!job) return;
    const stalled = /stalled more than allowable/.test(err.message);
    const unrecoverable = err instanceof UnrecoverableError || err.name === "UnrecoverableError";
    const final = unrecoverable || stalled || job.attemptsMade >= (job.opts.attempts ?? 1);
    deps.log.warn({ executionId: job.data.executionId, attempt: job.attemptsMade, final, err: err.message }, "execution attempt failed");
    if (final) void finishWithInternalError(deps, job.data.executionId, plainFailure(err, { stalled, unrecoverable }));
  });
  worker.on("error", (err) => deps.log.error({ err: err.message }, "queue worker error"));
  return worker;
}

/** What the person reads about a run that could not be completed: what failed, in plain words. */
function plainFailure(err: Error, how: { stalled: boolean; unrecoverable: boolean }): string {
  if (how.unrecoverable) return err.message;
  if (how.stalled) return `The runner running this program stopped responding, ${MAX_ATTEMPTS} times; it could not be completed.`;
  if (err instanceof SandboxInfrastructureError || err.name === "SandboxInfrastructureError") {
    return `The sandbox could not start or run the program (tried ${MAX_ATTEMPTS} times).`;
  }
  return `The run could not be completed because of a problem on our side (tried ${MAX_ATTEMPTS} times).`;
}
