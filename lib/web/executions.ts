import { Queue } from "bullmq";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { createRedis } from "../redis/connection";
import { LeaseCounter, type Lease } from "../redis/leases";
import { sqlPool } from "../db/client";
import { insertExecution } from "../executions/record";
import { resolveLimits, type RunLimits } from "../executions/limits";
import { OutputBudget } from "../executions/output-budget";
import { FairShare, queueRun } from "../executions/priority";
import { EXECUTION_QUEUE, JOB_OPTIONS, type ExecutionJob, type WorkClass } from "../executions/queue";
import type { Runtime } from "../executions/runtimes";
import { ApiError } from "../http/errors";
import { web } from "./context";
import { InputBudget } from "./input-budget";
import type { StageTimer } from "../perf/stages";

/**
 * The web side of the execution queue, one of each per web process: the
 * producer, the run-rate limiter, the output budget (spent by the runner,
 * checked here), the input budget (spent here) and the count of open event
 * streams per user.
 */
interface ExecutionServices {
  queue: Queue<ExecutionJob>;
  runLimiter: RateLimiterRedis;
  outputBudget: OutputBudget;
  inputBudget: InputBudget;
  streams: LeaseCounter;
  /** Room runs of a user that are fetching the room's live files (collab serializes the whole document for each). */
  roomSnapshots: LeaseCounter;
}

const holder = globalThis as typeof globalThis & { __samExecutions?: ExecutionServices };

export function executionServices(): ExecutionServices {
  if (!holder.__samExecutions) {
    const ctx = web();
    holder.__samExecutions = {
      queue: new Queue<ExecutionJob>(EXECUTION_QUEUE, {
        connection: createRedis(process.env.REDIS_URL!),
        defaultJobOptions: JOB_OPTIONS,
      }),
      runLimiter: new RateLimiterRedis({
        storeClient: ctx.redis,
        keyPrefix: "sam:rl:runs",
        points: ctx.config.SAM_RUNS_PER_MINUTE,
        duration: 60,
      }),
      outputBudget: new OutputBudget(ctx.redis, {
        bytes: ctx.config.SAM_OUTPUT_BUDGET_MB * 1024 * 1024,
        windowSeconds: ctx.config.SAM_OUTPUT_BUDGET_WINDOW_SECONDS,
      }),
      inputBudget: new InputBudget(ctx.redis, {
        bytes: ctx.config.SAM_INPUT_BUDGET_MB * 1024 * 1024,
        windowSeconds: ctx.config.SAM_INPUT_BUDGET_WINDOW_SECONDS,
      }),
      streams: new LeaseCounter(ctx.redis, "sam:streams"),
      roomSnapshots: new LeaseCounter(ctx.redis, "sam:room-snapshots"),
    };
  }
  return holder.__samExecutions;
}

/**
 * Counts one run against the user's run rate (SAM_RUNS_PER_MINUTE), or 429
 * rate_limited. enqueueExecution() does it itself; a route whose checks cost
 * more than a run record (a room run asks collab for the live document) calls
 * it first instead, so that requests refused by those checks are counted too.
 */
export async function consumeRunAllowance(userId: string): Promise<void> {
  try {
    await executionServices().runLimiter.consume(userId);
  } catch (err) {
    if (err instanceof RateLimiterRes || (err as RateLimiterRes)?.msBeforeNext !== undefined) {
      const seconds = Math.max(1, Math.ceil((err as RateLimiterRes).msBeforeNext / 1000));
      throw new ApiError(429, "rate_limited", `You started too many runs; try again in ${seconds} seconds.`, { "retry-after": String(seconds) });
    }
    throw err;
  }
}

/** 429 output_budget_exhausted while the account's runs have streamed all the output they may in this window. */
async function checkOutputBudget(userId: string): Promise<void> {
  const { config } = web();
  const seconds = await executionServices().outputBudget.exhaustedForSeconds(userId);
  if (seconds > 0) {
    throw new ApiError(
      429,
      "output_budget_exhausted",
      `Your runs have printed ${config.SAM_OUTPUT_BUDGET_MB} MiB of output in the last ${config.SAM_OUTPUT_BUDGET_WINDOW_SECONDS} seconds, the most allowed; try again in ${seconds} seconds.`,
      { "retry-after": String(seconds) },
    );
  }
}

/** 429 too_many_active_runs while the account has SAM_MAX_QUEUED_RUNS_PER_USER runs queued or running. */
export function tooManyActive(active: number): ApiError {
  const seconds = Math.max(1, Math.ceil(web().config.limits.defaults.wallTimeMs / 1000));
  return new ApiError(
    429,
    "too_many_active_runs",
    `You have ${active} runs queued or running, the most allowed at once; wait for one to finish (or cancel one), then try again.`,
    {
      "retry-after": String(seconds),
    },
  );
}

/**
 * The account's checks that cost no more than a count: its output budget and
 * its runs queued or running at once (enqueueExecution checks the latter
 * again under its lock). For a route to call before expensive work.
 */
export async function checkRunAllowed(userId: string): Promise<void> {
  const { db, config } = web();
  await checkOutputBudget(userId);
  const active = await db.execution.count({ where: { userId, status: { in: ["queued", "running"] } } });
  if (active >= config.SAM_MAX_QUEUED_RUNS_PER_USER) throw tooManyActive(active);
}

/** 429 input_budget_exhausted, saying how long until the window ends. */
export function inputBudgetExhausted(seconds: number): ApiError {
  const { config } = web();
  return new ApiError(
    429,
    "input_budget_exhausted",
    `Your runs have stored ${config.SAM_INPUT_BUDGET_MB} MiB of input (files and stdin) in the last ${config.SAM_INPUT_BUDGET_WINDOW_SECONDS} seconds, the most allowed; try again in ${seconds} seconds, or with smaller input.`,
    { "retry-after": String(seconds) },
  );
}

/**
 * Starts a run the caller may start: checks the account's output budget and
 * its runs queued or running at once, counts the run against the run rate
 * (unless the caller already did: `allowanceTaken`), takes its input from the
 * account's input budget, records it with its limits resolved, and queues it.
 * The count and the insert happen under a lock per account, so parallel
 * requests cannot all squeeze past the cap. Every check on the request has
 * passed before this: nothing reaches the queue otherwise. On the way it drops
 * the stored input of the account's long-finished runs (input-budget.ts).
 */
export async function enqueueExecution(
  userId: string,
  runtime: Runtime,
  run: {
    /** The files' contents and stdin as the program gets them (bytes). */
    files: Array<{ name: string; content: Buffer }>;
    stdin: Buffer;
    args?: string[];
    limits?: Partial<RunLimits>;
    /** A room's run: every member may follow it, and it takes live input; its class is always `interactive`. */
    roomId?: string;
    /** The class of a run that is not a room's (the API's `workClass`): `api` unless the caller asked for `batch`. */
    workClass?: Exclude<WorkClass, "interactive">;
    /** The route already counted this run against the run rate (consumeRunAllowance). */
    allowanceTaken?: boolean;
  },
  timer?: StageTimer,
): Promise<{ execution: { id: string; createdAt: Date }; limits: RunLimits }> {
  const { db, config, log } = web();
  const { inputBudget } = executionServices();
  await checkOutputBudget(userId);
  timer?.lap("budget");
  const limits = resolveLimits(config.limits, runtime.limits, run.limits ?? {});
  const cap = config.SAM_MAX_QUEUED_RUNS_PER_USER;
  const inputSize = run.stdin.byteLength + run.files.reduce((sum, f) => sum + f.content.byteLength, 0);
  let taken = false;
  // The count and the insert under a lock per account; in SQL on Prisma's own pool (record.ts).
  const client = await sqlPool(db).connect();
  let execution: { id: string; createdAt: Date };
  let broken = false;
  try {
    await client.query("BEGIN");
    await client.query("SELECT 1 FROM pg_advisory_xact_lock(hashtext($1))", [`sam:active:${userId}`]);
    const { rows } = await client.query(`SELECT count(*)::int AS "active" FROM "Execution" WHERE "userId" = $1 AND "status" IN ('queued', 'running')`, [
      userId,
    ]);
    const active = rows[0].active as number;
    if (active >= cap) throw tooManyActive(active);
    if (!run.allowanceTaken) await consumeRunAllowance(userId);
    const wait = await inputBudget.take(userId, inputSize);
    if (wait > 0) throw inputBudgetExhausted(wait);
    taken = true;
    execution = await insertExecution(client, {
      userId,
      language: runtime.language,
      version: runtime.version,
      roomId: run.roomId,
      files: run.files,
      stdin: run.stdin,
      args: run.args ?? [],
      limits,
    });
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => (broken = true));
    // Not recorded (e.g. the insert failed): the input was not stored after all.
    if (taken) await inputBudget.giveBack(userId, inputSize);
    throw err;
  } finally {
    // A connection whose rollback failed is in an unknown state: it is closed, not reused.
    client.release(broken || undefined);
  }
  timer?.lap("insert");
  // Someone watches a room's run: it goes before every other class (priority.ts).
  const workClass: WorkClass = run.roomId ? "interactive" : (run.workClass ?? "api");
  await queueRun(executionServices().queue, web().redis, { executionId: execution.id, userId, workClass });
  timer?.lap("queue");
  await inputBudget
    .dropOldInputs(db, userId)
    .catch((err: Error) => log.warn({ err: err.message, userId }, "could not drop old runs' inputs; trying again on a later run"));
  timer?.lap("cleanup");
  return { execution, limits };
}

/**
 * Takes a cancelled run's job out of the queue (if no runner took it yet) and
 * out of its account's fairness count, so its next runs are not put behind it.
 */
export async function dequeueRun(executionId: string, userId: string): Promise<void> {
  const { queue } = executionServices();
  await queue.remove(executionId).catch(() => undefined);
  await new FairShare(web().redis, queue.name).leave(userId, executionId).catch(() => undefined);
}

/**
 * A place for one more open event stream (SSE, or a ?wait=true request) of
 * this user, counted across every web process; 429 too_many_streams beyond
 * SAM_MAX_EVENT_STREAMS_PER_USER. Release it when the stream ends.
 */
export async function openStreamLease(userId: string): Promise<Lease> {
  const { config } = web();
  const lease = await executionServices().streams.acquire(userId, config.SAM_MAX_EVENT_STREAMS_PER_USER);
  if (!lease) {
    throw new ApiError(
      429,
      "too_many_streams",
      `You have ${config.SAM_MAX_EVENT_STREAMS_PER_USER} event streams open (or requests waiting for a result), the most allowed at once; close one (e.g. another tab), then try again.`,
      { "retry-after": "5" },
    );
  }
  return lease;
}

/**
 * Reads of a whole room's files one user may have under way at once: a run
 * starting or a snapshot saved (collab serializes the room's document), a
 * snapshot read or compared (a stored copy of up to the room's quota).
 */
const ROOM_SNAPSHOTS_AT_ONCE = 2;

/**
 * A place to read a room's files (live, or a snapshot's), across web
 * processes; 429 rate_limited (Retry-After: 1) while the user already has
 * ROOM_SNAPSHOTS_AT_ONCE such reads under way. Release it once the files are read.
 */
export async function roomSnapshotLease(userId: string): Promise<Lease> {
  const lease = await executionServices().roomSnapshots.acquire(userId, ROOM_SNAPSHOTS_AT_ONCE);
  if (!lease) {
    throw new ApiError(
      429,
      "rate_limited",
      `You already have ${ROOM_SNAPSHOTS_AT_ONCE} reads of a room's files under way (runs starting, snapshots saved or read); wait for them, then try again.`,
      { "retry-after": "1" },
    );
  }
  return lease;
}
