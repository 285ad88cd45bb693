import { Queue } from "bullmq";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { createRedis } from "../redis/connection";
import { LeaseCounter, type Lease } from "../redis/leases";
import type { Execution } from "../db/generated/client";
import { storedBytes } from "../executions/encoding";
import { resolveLimits, type RunLimits } from "../executions/limits";
import { OutputBudget } from "../executions/output-budget";
import { EXECUTION_QUEUE, MAX_ATTEMPTS, type ExecutionJob } from "../executions/queue";
import type { Runtime } from "../executions/runtimes";
import { ApiError } from "../http/errors";
import { web } from "./context";

/**
 * The web side of the execution queue, one of each per web process: the
 * producer, the run-rate limiter, the output budget (spent by the runner,
 * checked here) and the count of open event streams per user.
 */
interface ExecutionServices {
  queue: Queue<ExecutionJob>;
  runLimiter: RateLimiterRedis;
  outputBudget: OutputBudget;
  streams: LeaseCounter;
}

const holder = globalThis as typeof globalThis & { __samExecutions?: ExecutionServices };

export function executionServices(): ExecutionServices {
  if (!holder.__samExecutions) {
    const ctx = web();
    holder.__samExecutions = {
      queue: new Queue<ExecutionJob>(EXECUTION_QUEUE, {
        connection: createRedis(process.env.REDIS_URL!),
        defaultJobOptions: {
          attempts: MAX_ATTEMPTS,
          backoff: { type: "exponential", delay: 500 },
          removeOnComplete: { age: 3600, count: 10_000 },
          removeOnFail: { age: 24 * 3600 },
        },
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
      streams: new LeaseCounter(ctx.redis, "sam:streams"),
    };
  }
  return holder.__samExecutions;
}

async function consumeRunAllowance(userId: string): Promise<void> {
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

/**
 * Starts a run the caller may start: checks the account's output budget and
 * its runs queued or running at once, counts the run against the run rate,
 * records it with its limits resolved, and queues it. The count and the
 * insert happen under a lock per account, so parallel requests cannot all
 * squeeze past the cap. Every check on the request has passed before this:
 * nothing reaches the queue otherwise.
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
    /** A room's run: every member may follow it, and it takes live input. */
    roomId?: string;
  },
): Promise<{ execution: Execution; limits: RunLimits }> {
  const { db, config } = web();
  await checkOutputBudget(userId);
  const limits = resolveLimits(config.limits, runtime.limits, run.limits ?? {});
  const cap = config.SAM_MAX_QUEUED_RUNS_PER_USER;
  const execution = await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(hashtext(${`sam:active:${userId}`}))`;
    const active = await tx.execution.count({ where: { userId, status: { in: ["queued", "running"] } } });
    if (active >= cap) {
      const seconds = Math.max(1, Math.ceil(config.limits.defaults.wallTimeMs / 1000));
      throw new ApiError(429, "too_many_active_runs", `You have ${active} runs queued or running, the most allowed at once; wait for one to finish (or cancel one), then try again.`, {
        "retry-after": String(seconds),
      });
    }
    await consumeRunAllowance(userId);
    return tx.execution.create({
      data: {
        userId,
        ...(run.roomId ? { roomId: run.roomId, interactive: true } : {}),
        language: runtime.language,
        version: runtime.version,
        files: { create: run.files.map((f, position) => ({ position, name: f.name, content: storedBytes(f.content) })) },
        stdin: storedBytes(run.stdin),
        args: run.args ?? [],
        limits: { ...limits },
      },
    });
  });
  await executionServices().queue.add("run", { executionId: execution.id }, { jobId: execution.id });
  return { execution, limits };
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
