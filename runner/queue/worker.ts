import { Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { EXECUTION_QUEUE, MAX_ATTEMPTS, type ExecutionJob } from "../../lib/executions/queue";
import { finishWithInternalError, processExecution, type ProcessDeps } from "./process-execution";

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
 * stalled too often, the execution ends as internal_error with the reason kept.
 */
export function createExecutionWorker(deps: ProcessDeps, options: WorkerOptions): Worker<ExecutionJob> {
  const worker = new Worker<ExecutionJob>(
    options.queueName ?? EXECUTION_QUEUE,
    async (job: Job<ExecutionJob>) => processExecution(deps, job.data.executionId),
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
    const final = job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled more than allowable/.test(err.message);
    deps.log.warn({ executionId: job.data.executionId, attempt: job.attemptsMade, final, err: err.message }, "execution attempt failed");
    if (final) void finishWithInternalError(deps, job.data.executionId, err.message);
  });
  worker.on("error", (err) => deps.log.error({ err: err.message }, "queue worker error"));
  return worker;
}
