import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Database } from "../../lib/db/client";

/**
 * Finished executions older than SAM_EXECUTION_RETENTION_DAYS are deleted
 * (with their files), so PostgreSQL does not grow without end. A BullMQ job
 * scheduler fires the deletion every hour: every runner upserts the same
 * scheduler (so there is one schedule however many runners there are) and any
 * one of them runs each firing. 0 days keeps everything (the schedule is removed).
 */
export const MAINTENANCE_QUEUE = "sam-maintenance";
const SCHEDULER_ID = "delete-old-executions";
const EVERY_MS = 3600_000;
/** Rows deleted per statement: short statements, so no long lock on the table. */
const BATCH = 500;

export interface RetentionOptions {
  db: Database;
  connection: Redis;
  log: Logger;
  days: number;
  queueName?: string;
  everyMs?: number;
}

export async function startRetention(opts: RetentionOptions): Promise<() => Promise<void>> {
  const queueName = opts.queueName ?? MAINTENANCE_QUEUE;
  const queue = new Queue(queueName, { connection: opts.connection });
  if (opts.days === 0) {
    await queue.removeJobScheduler(SCHEDULER_ID);
    return () => queue.close();
  }
  const workerConnection = opts.connection.duplicate();
  await queue.upsertJobScheduler(SCHEDULER_ID, { every: opts.everyMs ?? EVERY_MS }, { name: SCHEDULER_ID, opts: { removeOnComplete: 20, removeOnFail: 20 } });
  const worker = new Worker(
    queueName,
    async () => {
      const deleted = await deleteOldExecutions(opts.db, opts.days);
      if (deleted) opts.log.info({ deleted, days: opts.days }, "deleted old executions");
      return { deleted };
    },
    { connection: workerConnection, concurrency: 1 },
  );
  worker.on("failed", (_job, err) => opts.log.warn({ err: err.message }, "deleting old executions failed; the next run tries again"));
  worker.on("error", (err) => opts.log.warn({ err: err.message }, "maintenance worker error"));
  return async () => {
    await worker.close();
    await queue.close();
    workerConnection.disconnect();
  };
}

/**
 * Deletes finished executions created more than `days` days ago; returns how
 * many. Runs still queued or running are kept. Prisma stores times as UTC in
 * columns without a time zone, hence now() in UTC.
 */
export async function deleteOldExecutions(db: Database, days: number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await db.$executeRaw`
      DELETE FROM "Execution" WHERE "id" IN (
        SELECT "id" FROM "Execution"
        WHERE "createdAt" < (now() AT TIME ZONE 'UTC') - make_interval(days => ${days}::int)
          AND "status" NOT IN ('queued', 'running')
        LIMIT ${BATCH}
      )`;
    total += deleted;
    if (deleted < BATCH) return total;
  }
}
