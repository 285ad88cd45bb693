import { Queue } from "bullmq";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { createRedis } from "../redis/connection";
import type { Execution } from "../db/generated/client";
import { resolveLimits, type RunLimits } from "../executions/limits";
import { EXECUTION_QUEUE, MAX_ATTEMPTS, type ExecutionJob } from "../executions/queue";
import type { Runtime } from "../executions/runtimes";
import { ApiError } from "../http/errors";
import { web } from "./context";

/** The web side of the execution queue: one producer and one run-rate limiter per web process. */
interface ExecutionServices {
  queue: Queue<ExecutionJob>;
  runLimiter: RateLimiterRedis;
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

/**
 * Starts a run the caller may start: counts it against their allowance,
 * records it with its limits resolved, and queues it. Every check on the
 * request has passed before this: nothing reaches the queue otherwise.
 */
export async function enqueueExecution(
  userId: string,
  runtime: Runtime,
  run: {
    files: Array<{ name: string; content: string }>;
    stdin?: string;
    args?: string[];
    limits?: Partial<RunLimits>;
    /** A room's run: every member may follow it, and it takes live input. */
    roomId?: string;
  },
): Promise<{ execution: Execution; limits: RunLimits }> {
  const { db, config } = web();
  await consumeRunAllowance(userId);
  const limits = resolveLimits(config.limits, runtime.limits, run.limits ?? {});
  const execution = await db.execution.create({
    data: {
      userId,
      ...(run.roomId ? { roomId: run.roomId, interactive: true } : {}),
      language: runtime.language,
      version: runtime.version,
      files: run.files,
      stdin: run.stdin ?? "",
      args: run.args ?? [],
      limits: { ...limits },
    },
  });
  await executionServices().queue.add("run", { executionId: execution.id }, { jobId: execution.id });
  return { execution, limits };
}
