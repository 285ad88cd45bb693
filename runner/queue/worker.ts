import { DelayedError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { EXECUTION_QUEUE, type ExecutionJob } from "../../lib/executions/queue";
import { MAX_STALLS, watchFailures } from "./dead-letters";
import { AccountBusyError, processExecution, type ProcessDeps } from "./process-execution";

/** A run whose account has its most runs running waits this long (plus a little jitter) before it is tried again. */
const BUSY_WAIT_MS = 1000;

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
 * stalled twice, the execution ends as internal_error, its `error` saying
 * in plain words what failed, and goes to the dead letters (dead-letters.ts). A run whose account
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
        if (!(err instanceof AccountBusyError)) throw err;
        await job.moveToDelayed(Date.now() + BUSY_WAIT_MS + Math.floor(Math.random() * 250), token);
        throw new DelayedError();
      }
    },
    {
      connection: options.connection,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? 15_000,
      stalledInterval: options.stalledIntervalMs ?? 5_000,
      maxStalledCount: MAX_STALLS,
    },
  );
  // Failed attempts and stalls are recorded; a run BullMQ gives up on goes to the dead letters.
  watchFailures(worker, deps);
  worker.on("error", (err) => deps.log.error({ err: err.message }, "queue worker error"));
  return worker;
}
