import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";

/**
 * How many bytes of output one account's runs may put through Redis (the
 * live event streams) per window: SAM_OUTPUT_BUDGET_MB per
 * SAM_OUTPUT_BUDGET_WINDOW_SECONDS. The runner counts each piece of output
 * before it streams it; once the budget is spent, that account's runs stop
 * streaming output live (a `notice` event says so; they still run, and their
 * output is stored and shown in the result), and the web app refuses new runs
 * with 429 output_budget_exhausted until the window ends.
 */
export interface OutputBudgetSettings {
  bytes: number;
  windowSeconds: number;
}

export class OutputBudget {
  private readonly limiter: RateLimiterRedis;

  constructor(
    redis: Redis,
    readonly settings: OutputBudgetSettings,
  ) {
    this.limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: "sam:budget:output", points: settings.bytes, duration: settings.windowSeconds });
  }

  /** Counts `bytes` against the account; false when they do not fit in what is left (then they must not be streamed). */
  async consume(userId: string, bytes: number): Promise<boolean> {
    try {
      await this.limiter.consume(userId, bytes);
      return true;
    } catch (err) {
      if (isRejection(err)) return false;
      throw err;
    }
  }

  /** 0 while the account has budget left; else the seconds until its window ends. */
  async exhaustedForSeconds(userId: string): Promise<number> {
    const state = await this.limiter.get(userId);
    if (!state || state.remainingPoints > 0) return 0;
    return Math.max(1, Math.ceil(state.msBeforeNext / 1000));
  }
}

function isRejection(err: unknown): err is RateLimiterRes {
  return err instanceof RateLimiterRes || (typeof err === "object" && err !== null && typeof (err as RateLimiterRes).msBeforeNext === "number");
}
