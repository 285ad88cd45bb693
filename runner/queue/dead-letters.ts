import { UnrecoverableError, type Job, type Worker } from "bullmq";
import type { Redis } from "ioredis";
import {
  deadLetterReasonsKey,
  DEAD_LETTER_REASONS_MAX,
  DEAD_LETTER_REASONS_TTL_SECONDS,
  type AttemptReason,
  type DeadLetterJob,
  type DeadLetterKind,
} from "../../lib/admin/dead-letter-types";
import { MAX_ATTEMPTS, MAX_STALLS, type ExecutionJob } from "../../lib/executions/queue";
import { SandboxInfrastructureError } from "../sandbox/driver";
import { AttemptsExhaustedError, publishResult, type ProcessDeps } from "./process-execution";

/**
 * Where runs go that the queue gave up on: every attempt failed, or the run
 * stalled its runner twice (a poison job: it kills or hangs whatever runs it).
 * Each failed attempt's reason is kept in a Redis list per execution as it
 * happens; when the run is given up, the run ends as internal_error for its
 * owner (plain words) and a DeadLetter row (PostgreSQL) keeps the reasons for
 * an administrator, in one transaction with that status. See lib/admin/dead-letters.ts
 * for list, replay and discard.
 */

/**
 * BullMQ fails a job that stalled more than maxStalledCount times with a
 * plain UnrecoverableError when a worker next picks it up, having marked the
 * job with a deferred failure; no other path sets that mark. BullMQ gives this
 * case no error class of its own, so this is the one place that tells it
 * apart: by the job's mark and counter, not by the error's message.
 */
export function stalledTooOften(job: Job, err: Error): boolean {
  return err instanceof UnrecoverableError && Boolean(job.deferredFailure) && job.stalledCounter > MAX_STALLS;
}

/** What a failed attempt was, by the error's type. */
export function failureKind(job: Job, err: Error): AttemptReason["kind"] {
  if (stalledTooOften(job, err)) return "stalled_too_often";
  if (err instanceof AttemptsExhaustedError) return "attempts_exhausted";
  if (err instanceof SandboxInfrastructureError) return "sandbox";
  if (err instanceof UnrecoverableError) return "unrecoverable";
  return "error";
}

/** True when BullMQ will not try the job again after this failure. */
export function isFinalFailure(job: Job, err: Error): boolean {
  return err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
}

/** Why the queue gave the run up, for the dead letter's `kind`. */
function deadLetterKind(kind: AttemptReason["kind"]): DeadLetterKind {
  if (kind === "stalled_too_often") return "stalled_too_often";
  if (kind === "unrecoverable") return "unrecoverable";
  return "attempts_exhausted";
}

/** What the person reads about a run that could not be completed: what failed, in plain words. */
export function plainFailure(kind: AttemptReason["kind"], err: Error): string {
  switch (kind) {
    case "stalled_too_often":
      return `The runner running this program stopped responding, ${MAX_STALLS + 1} times; it could not be completed.`;
    case "attempts_exhausted":
      return `The run was tried ${(err as AttemptsExhaustedError).attempts} times and could not be completed.`;
    case "sandbox":
      return `The sandbox could not start or run the program (tried ${MAX_ATTEMPTS} times).`;
    case "unrecoverable":
      // Ours are written for people (e.g. STORE_FAILED in process-execution.ts).
      return err.message;
    default:
      return `The run could not be completed because of a problem on our side (tried ${MAX_ATTEMPTS} times).`;
  }
}

/** Appends one attempt's reason to the execution's list (kept a while, bounded). */
export async function recordAttemptReason(redis: Redis, executionId: string, reason: AttemptReason): Promise<void> {
  const key = deadLetterReasonsKey(executionId);
  await redis.multi().rpush(key, JSON.stringify(reason)).ltrim(key, -DEAD_LETTER_REASONS_MAX, -1).expire(key, DEAD_LETTER_REASONS_TTL_SECONDS).exec();
}

async function attemptReasons(redis: Redis, executionId: string): Promise<AttemptReason[]> {
  const raw = await redis.lrange(deadLetterReasonsKey(executionId), 0, -1);
  return raw.flatMap((entry) => {
    try {
      return [JSON.parse(entry) as AttemptReason];
    } catch {
      return [];
    }
  });
}

/**
 * Gives the run up: internal_error for its owner and a dead letter for the
 * administrators, together or not at all; then the `result` event. A run
 * already final (cancelled meanwhile) is left as it is and gets no dead letter.
 */
export async function deadLetter(
  deps: Pick<ProcessDeps, "db" | "redis" | "log">,
  job: Job<ExecutionJob>,
  err: Error,
  kind: AttemptReason["kind"],
): Promise<void> {
  const executionId = job.data.executionId;
  const attempts = await attemptReasons(deps.redis, executionId).catch(() => [] as AttemptReason[]);
  const queued: DeadLetterJob = { name: job.name, data: { ...job.data }, priority: job.opts.priority ?? null };
  const ended = await deps.db.$transaction(async (tx) => {
    const updated = await tx.execution.updateMany({
      where: { id: executionId, status: { in: ["queued", "running"] } },
      data: { status: "internal_error", error: plainFailure(kind, err).slice(0, 2000), finishedAt: new Date() },
    });
    if (updated.count === 0) return false;
    const row = { kind: deadLetterKind(kind), reason: err.message.slice(0, 2000), attempts: attempts as object[], job: queued as object };
    await tx.deadLetter.upsert({ where: { executionId }, create: { executionId, ...row }, update: { ...row, createdAt: new Date() } });
    return true;
  });
  if (!ended) return;
  deps.log.error({ executionId, kind, attempts: attempts.length, err: err.message }, "execution moved to the dead letters");
  await publishResult(deps, executionId);
}

/** Pauses between tries to dead-letter a run while the database fails: about 45 s in all. */
const GIVE_UP_RETRY_DELAYS_MS = [200, 1000, 3000, 10_000, 30_000];

/**
 * deadLetter(), tried again while the database fails: BullMQ will not call
 * again for this job, so a failure here would leave the run `running` for
 * its owner with nobody to end it.
 */
async function giveUp(
  deps: Pick<ProcessDeps, "db" | "redis" | "log">,
  job: Job<ExecutionJob>,
  err: Error,
  kind: AttemptReason["kind"],
  delays = GIVE_UP_RETRY_DELAYS_MS,
): Promise<void> {
  for (let tryNumber = 0; ; tryNumber++) {
    try {
      return await deadLetter(deps, job, err, kind);
    } catch (e) {
      const pause = delays[tryNumber];
      const fields = { executionId: job.data.executionId, err: (e as Error).message, try: tryNumber + 1 };
      if (pause === undefined) return void deps.log.error(fields, "could not move a run to the dead letters; it stays as it is");
      deps.log.warn(fields, "could not move a run to the dead letters; trying again");
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

/**
 * The worker's failure handling: every failed attempt and every stall is
 * recorded with its reason; a failure BullMQ will not retry sends the run to
 * the dead letters. Retries themselves are BullMQ's, decided by error type
 * (UnrecoverableError and its subclasses are never retried).
 */
export function watchFailures(worker: Worker<ExecutionJob>, deps: Pick<ProcessDeps, "db" | "redis" | "log">): void {
  worker.on("failed", (job, err) => {
    if (!job) return;
    const kind = failureKind(job, err);
    const final = isFinalFailure(job, err);
    const executionId = job.data.executionId;
    deps.log.warn({ executionId, attempt: job.attemptsMade, final, kind, err: err.message }, "execution attempt failed");
    void (async () => {
      await recordAttemptReason(deps.redis, executionId, { at: new Date().toISOString(), kind, message: err.message.slice(0, 2000) }).catch((e: Error) =>
        deps.log.warn({ executionId, err: e.message }, "could not record a failed attempt's reason"),
      );
      if (final) await giveUp(deps, job, err, kind);
    })();
  });
  // Job ids are execution ids (the web app queues each run under its own id).
  worker.on("stalled", (jobId) => {
    const reason: AttemptReason = {
      at: new Date().toISOString(),
      kind: "stalled",
      message: "the runner running it stopped renewing its lock (it died or hung); the job went back to the queue",
    };
    void recordAttemptReason(deps.redis, jobId, reason).catch((e: Error) => deps.log.warn({ executionId: jobId, err: e.message }, "could not record a stall"));
  });
}
