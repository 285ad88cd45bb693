import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { ApiError } from "./errors";

/**
 * "At most N per window" for one kind of request, per key (a user id or a
 * client address), counted in Redis so every web process shares the count.
 * Past the allowance: 429 `rate_limited` with Retry-After, and a message
 * (given the seconds to wait) that says which allowance was spent.
 */
export class WindowLimit {
  private readonly limiter: RateLimiterRedis;

  constructor(
    redis: Redis,
    keyPrefix: string,
    limit: { points: number; windowSeconds: number },
    private readonly message: (seconds: number) => string,
  ) {
    this.limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix, points: limit.points, duration: limit.windowSeconds });
  }

  async consume(key: string): Promise<void> {
    try {
      await this.limiter.consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes || typeof (err as RateLimiterRes)?.msBeforeNext === "number")) throw err;
      const seconds = Math.max(1, Math.ceil((err as RateLimiterRes).msBeforeNext / 1000));
      throw new ApiError(429, "rate_limited", this.message(seconds), { "retry-after": String(seconds) });
    }
  }
}
