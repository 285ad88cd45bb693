import { DelayedError, Worker, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { isDatabaseUnavailable } from "../../lib/db/unavailable";
import { FairShare, workClassOf } from "../../lib/executions/priority";
import {
  BUSY_WAIT_JITTER_MS,
  BUSY_WAIT_MS,
  DATABASE_WAIT_MS,
  EXECUTION_QUEUE,
  LOCK_DURATION_MS,
  MAX_STALLS,
  STALLED_INTERVAL_MS,
  type ExecutionJob,
} from "../../lib/executions/queue";
import { StageTimer } from "../../lib/perf/stages";
import { watchFailures } from "./dead-letters";
import { AccountBusyError, processExecution, type ProcessDeps } from "./process-execution";

export interface WorkerOptions {
  connection: Redis;
  concurrency: number;
  queueName?: string;
  /** How long a job's lock lives without renewal; a runner that dies mid-run loses the job after this. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Called as each job starts; the function it returns, as the job ends, with false when it only went back to wait (runner/pool-member.ts counts busy runners). */
  onJobStart?: () => (worked?: boolean) => void;
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
  const queueName = options.queueName ?? EXECUTION_QUEUE;
  const fair = new FairShare(deps.redis, queueName);
  const worker = new Worker<ExecutionJob>(
    queueName,
    async (job: Job<ExecutionJob>, token?: string) => {
      // Time from queueing until a runner took it (both clocks are this machine's in the bench).
      const timer = deps.stageTimings ? new StageTimer() : undefined;
      timer?.stages.push({ stage: "pickup", ms: Math.max(0, Date.now() - job.timestamp) });
      // Taken: no longer waiting, so the account's next runs queue further ahead (priority.ts).
      if (job.data.userId) {
        await fair
          .leave(job.data.userId, job.data.executionId)
          .catch((err: Error) =>
            deps.log.warn({ executionId: job.data.executionId, err: err.message }, "could not update the fairness count; it corrects itself"),
          );
      }
      const done = options.onJobStart?.();
      try {
        timer?.lap("fairness");
        await processExecution(deps, job.data.executionId, timer);
      } catch (err) {
        // The database down is no fault of the run: not an attempt (three of them would be spent in a second
        // of outage, and the run could not even be marked failed). A result already computed is not at stake
        // here: storing it retries by itself (process-execution.ts).
        const wait = err instanceof AccountBusyError ? BUSY_WAIT_MS : (await databaseDown(deps, err)) ? DATABASE_WAIT_MS : undefined;
        if (wait === undefined) throw err;
        // Still waiting: back in its account's count, or the account's next runs would queue as if it had none waiting.
        if (job.data.userId) {
          await fair
            .enter(job.data.userId, workClassOf(job.data), job.data.executionId)
            .catch((e: Error) =>
              deps.log.warn({ executionId: job.data.executionId, err: e.message }, "could not update the fairness count; it corrects itself"),
            );
        }
        // Not work: a runner that only defers runs stays idle to the autoscaler (it may drain it).
        done?.(false);
        // Back to the delayed set; BullMQ puts it back among the prioritized jobs with its own priority.
        await job.moveToDelayed(Date.now() + wait + Math.floor(Math.random() * BUSY_WAIT_JITTER_MS), token);
        throw new DelayedError();
      } finally {
        done?.();
      }
    },
    {
      connection: options.connection,
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? LOCK_DURATION_MS,
      stalledInterval: options.stalledIntervalMs ?? STALLED_INTERVAL_MS,
      maxStalledCount: MAX_STALLS,
    },
  );
  // Failed attempts and stalls are recorded; a run BullMQ gives up on goes to the dead letters.
  watchFailures(worker, deps);
  worker.on("error", (err) => deps.log.error({ err: err.message }, "queue worker error"));
  return worker;
}

/**
 * Whether `err` means PostgreSQL is down now. Its socket error codes
 * (ECONNRESET, EPIPE, ETIMEDOUT) also come from a sandbox engine's socket, and
 * a run deferred for those would wait for ever instead of being retried; so
 * the database itself is asked (only when an error looks like an outage).
 */
async function databaseDown(deps: ProcessDeps, err: unknown): Promise<boolean> {
  if (!isDatabaseUnavailable(err)) return false;
  try {
    await deps.db.$queryRaw`SELECT 1`;
    return false;
  } catch (probe) {
    return isDatabaseUnavailable(probe);
  }
}
