import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Database } from "../../lib/db/client";
import { queueRun } from "../../lib/executions/priority";
import { EXECUTION_QUEUE, type ExecutionJob, LOST_RUN_AFTER_MS, LOST_RUN_SWEEP_EVERY_MS, type WorkClass } from "../../lib/executions/queue";

/**
 * A run is a row in PostgreSQL (its truth) and a job in Redis (its place in
 * line). Redis fsyncs its append-only file once a second, so a machine that
 * crashes can take the last second of jobs with it while their rows say
 * "queued": nobody would ever run them. Every LOST_RUN_SWEEP_EVERY_MS one
 * runner (a BullMQ job scheduler shared by all, as for retention) looks for
 * runs queued longer than LOST_RUN_AFTER_MS whose job is gone, and queues
 * them again under the same id. BullMQ refuses a second job with an id that
 * exists, so a run is never queued twice, whoever sweeps.
 */
export const LOST_RUNS_QUEUE = "sam-lost-runs";
const SCHEDULER_ID = "requeue-lost-runs";
/** Rows looked at per sweep, oldest first: a long backlog is looked at over several sweeps. */
const BATCH = 500;

/**
 * Queues again the runs that are queued in PostgreSQL but have no job; returns
 * their ids. `userId` limits the sweep to one account (tests share a database).
 */
export async function requeueLostRuns(
  deps: { db: Database; redis: Redis; queue: Queue<ExecutionJob> },
  olderThanMs = LOST_RUN_AFTER_MS,
  userId?: string,
): Promise<string[]> {
  const rows = await deps.db.execution.findMany({
    where: { status: "queued", createdAt: { lt: new Date(Date.now() - olderThanMs) }, ...(userId ? { userId } : {}) },
    select: { id: true, userId: true, roomId: true, grading: { select: { kind: true } } },
    orderBy: { createdAt: "asc" },
    take: BATCH,
  });
  const requeued: string[] = [];
  for (const row of rows) {
    if (await deps.queue.getJob(row.id)) continue;
    await queueRun(deps.queue, deps.redis, { executionId: row.id, userId: row.userId, workClass: lostRunClass(row) });
    requeued.push(row.id);
  }
  return requeued;
}

/**
 * The class is not stored with the run: a room's run and a student's Test grading are interactive, a
 * teacher's re-grade is batch (lib/classroom/grading/queue-grading.ts), any other run goes back as api.
 */
export function lostRunClass(row: { roomId: string | null; grading: { kind: string } | null }): WorkClass {
  if (row.roomId || row.grading?.kind === "test") return "interactive";
  return row.grading?.kind === "regrade" ? "batch" : "api";
}

export async function startLostRunSweep(opts: { db: Database; redis: Redis; connection: Redis; log: Logger }): Promise<() => Promise<void>> {
  const schedules = new Queue(LOST_RUNS_QUEUE, { connection: opts.connection });
  const executions = new Queue<ExecutionJob>(EXECUTION_QUEUE, { connection: opts.connection });
  const workerConnection = opts.connection.duplicate();
  await schedules.upsertJobScheduler(
    SCHEDULER_ID,
    { every: LOST_RUN_SWEEP_EVERY_MS },
    { name: SCHEDULER_ID, opts: { removeOnComplete: 20, removeOnFail: 20 } },
  );
  const worker = new Worker(
    LOST_RUNS_QUEUE,
    async () => {
      const requeued = await requeueLostRuns({ db: opts.db, redis: opts.redis, queue: executions });
      if (requeued.length) opts.log.warn({ requeued }, "queued again runs whose job was lost (Redis lost its last writes?)");
      return { requeued: requeued.length };
    },
    { connection: workerConnection, concurrency: 1 },
  );
  worker.on("failed", (_job, err) => opts.log.warn({ err: err.message }, "looking for lost runs failed; the next sweep tries again"));
  worker.on("error", (err) => opts.log.warn({ err: err.message }, "lost-run sweep worker error"));
  return async () => {
    await worker.close();
    await Promise.all([schedules.close(), executions.close()]);
    workerConnection.disconnect();
  };
}
