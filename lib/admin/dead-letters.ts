import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Database } from "../db/client";
import { resetEvents } from "../executions/events";
import { queueRun, workClassOf } from "../executions/priority";
import type { ExecutionJob } from "../executions/queue";
import { ApiError } from "../http/errors";
import { deadLetterReasonsKey, DEAD_LETTER_REASONS_TTL_SECONDS, type AttemptReason, type DeadLetterJob, type DeadLetterKind } from "./dead-letter-types";

/**
 * What administrators do with the dead letters the runner writes
 * (runner/queue/dead-letters.ts): list, inspect, replay, discard.
 *
 * The execution row stays the single source of truth for its result. While a
 * run is a dead letter its owner sees it as internal_error. A replay puts the
 * row back to `queued` (one more replay counted: MAX_ATTEMPTS fresh attempts,
 * numbered on from the old ones, so a late runner of an old attempt can never
 * write), clears the live event stream and queues the job again under the
 * same id: the internal_error is replaced by the replay's own result, and the
 * run still ends with exactly one. A discard leaves the internal_error as the
 * run's result and forgets the dead letter.
 */
export interface DeadLetterDeps {
  db: Database;
  redis: Redis;
  /** The execution queue (the web app's producer). */
  queue: Queue<ExecutionJob>;
}

export interface DeadLetterSummary {
  executionId: string;
  kind: DeadLetterKind;
  reason: string;
  attempts: number;
  deadAt: string;
  owner: { id: string; username: string };
  language: string;
  version: string;
  roomId: string | null;
  createdAt: string;
  replays: number;
}

export interface DeadLetterDetail extends DeadLetterSummary {
  /** Every failed attempt, stall and replay, oldest first. */
  history: AttemptReason[];
  job: DeadLetterJob;
  /** What the owner sees meanwhile. */
  execution: { status: string; error: string | null; attempts: number; finishedAt: string | null };
}

const inputsDropped = () =>
  new ApiError(
    409,
    "inputs_dropped",
    "This run's input was already dropped (runs keep it only a while after they end), so it cannot run again; discard the dead letter instead.",
  );

const notFound = (id: string) => new ApiError(404, "dead_letter_not_found", `No dead letter for execution ${id}; it was replayed, discarded, or never failed.`);

const include = {
  execution: {
    select: {
      userId: true,
      user: { select: { username: true } },
      language: true,
      version: true,
      roomId: true,
      createdAt: true,
      replays: true,
      status: true,
      error: true,
      attempts: true,
      finishedAt: true,
      inputsDroppedAt: true,
    },
  },
} as const;

type Row = NonNullable<Awaited<ReturnType<typeof findRow>>>;
const findRow = (db: Database, executionId: string) => db.deadLetter.findUnique({ where: { executionId }, include });

function summary(row: Row): DeadLetterSummary {
  const e = row.execution;
  return {
    executionId: row.executionId,
    kind: row.kind as DeadLetterKind,
    reason: row.reason,
    attempts: e.attempts,
    deadAt: row.createdAt.toISOString(),
    owner: { id: e.userId, username: e.user.username },
    language: e.language,
    version: e.version,
    roomId: e.roomId,
    createdAt: e.createdAt.toISOString(),
    replays: e.replays,
  };
}

/** Newest first, at most `limit`; `total` counts them all. */
export async function listDeadLetters(db: Database, limit: number): Promise<{ deadLetters: DeadLetterSummary[]; total: number }> {
  const [rows, total] = await Promise.all([db.deadLetter.findMany({ include, orderBy: { createdAt: "desc" }, take: limit }), db.deadLetter.count()]);
  return { deadLetters: rows.map(summary), total };
}

export async function inspectDeadLetter(db: Database, executionId: string): Promise<DeadLetterDetail> {
  const row = await findRow(db, executionId);
  if (!row) throw notFound(executionId);
  const e = row.execution;
  return {
    ...summary(row),
    history: row.attempts as unknown as AttemptReason[],
    job: row.job as unknown as DeadLetterJob,
    execution: { status: e.status, error: e.error, attempts: e.attempts, finishedAt: e.finishedAt?.toISOString() ?? null },
  };
}

/**
 * Queues the run again (see the file's comment). The row is claimed first, in
 * a transaction that also removes the dead letter, so of two replays at once
 * one wins and the other gets 409; only then is the old failed job removed
 * (BullMQ ignores a new job whose id is taken) and the new one added. If the
 * queue refuses it, the row and the dead letter are put back as they were.
 */
export async function replayDeadLetter(
  deps: DeadLetterDeps,
  executionId: string,
  by: string,
): Promise<{ executionId: string; status: "queued"; replays: number }> {
  const { db, redis, queue } = deps;
  const row = await findRow(db, executionId);
  if (!row) throw notFound(executionId);
  if (row.execution.inputsDroppedAt) throw inputsDropped();
  const claimed = await db.$transaction(async (tx) => {
    // inputsDroppedAt again here: the input may have been dropped since the check above.
    const updated = await tx.execution.updateMany({
      where: { id: executionId, status: "internal_error", inputsDroppedAt: null },
      data: { status: "queued", error: null, startedAt: null, finishedAt: null, replays: { increment: 1 } },
    });
    if (updated.count === 0) return false;
    await tx.deadLetter.delete({ where: { executionId } });
    return true;
  });
  if (!claimed && (await db.execution.findUnique({ where: { id: executionId }, select: { inputsDroppedAt: true } }))?.inputsDroppedAt) throw inputsDropped();
  if (!claimed)
    throw new ApiError(
      409,
      "not_replayable",
      `Execution ${executionId} is no longer internal_error (it was replayed or ended otherwise); reload the dead letters.`,
    );

  const job = row.job as unknown as DeadLetterJob;
  try {
    await (await queue.getJob(executionId))?.remove();
    // The old attempts' events (their result included) go: followers see the replay from its start.
    await resetEvents(redis, executionId);
    // Queued the one way runs are queued: its class's priority, its account's turn now.
    await queueRun(queue, redis, { executionId, userId: row.execution.userId, workClass: workClassOf(job.data as ExecutionJob) });
  } catch (err) {
    await restore(db, row);
    throw new ApiError(503, "queue_unavailable", `The run could not be queued again (${(err as Error).message}); it stays a dead letter. Try again shortly.`);
  }
  const reason: AttemptReason = { at: new Date().toISOString(), kind: "replayed", message: `replayed by ${by}` };
  await redis
    .multi()
    .rpush(deadLetterReasonsKey(executionId), JSON.stringify(reason))
    .expire(deadLetterReasonsKey(executionId), DEAD_LETTER_REASONS_TTL_SECONDS)
    .exec();
  return { executionId, status: "queued", replays: row.execution.replays + 1 };
}

/** Undoes a replay's claim when its job could not be queued: the run is a dead letter again, as before. */
async function restore(db: Database, row: Row): Promise<void> {
  await db.$transaction(async (tx) => {
    const updated = await tx.execution.updateMany({
      where: { id: row.executionId, status: "queued", replays: row.execution.replays + 1 },
      data: { status: "internal_error", error: row.execution.error, finishedAt: row.execution.finishedAt ?? new Date() },
    });
    if (updated.count === 0) return;
    await tx.deadLetter.create({
      data: {
        executionId: row.executionId,
        kind: row.kind,
        reason: row.reason,
        attempts: row.attempts as object[],
        job: row.job as object,
        createdAt: row.createdAt,
      },
    });
  });
}

/** Forgets the dead letter: the run's internal_error stays its result. */
export async function discardDeadLetter(deps: DeadLetterDeps, executionId: string): Promise<void> {
  const { count } = await deps.db.deadLetter.deleteMany({ where: { executionId } });
  if (count === 0) throw notFound(executionId);
  await deps.redis.del(deadLetterReasonsKey(executionId));
  const job = await deps.queue.getJob(executionId);
  if (job && (await job.isFailed())) await job.remove();
}
