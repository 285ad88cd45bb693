import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { ApiError } from "../http/errors";

/**
 * Bounds the one room lookup anyone may make without signing in: what a
 * share link grants (POST /api/v1/share-links/preview). Tokens are 32
 * random bytes, so this is not about guessing them; it keeps an anonymous
 * client from turning the page into a free database load. Counted per
 * client address in Redis, so every web process shares the count.
 */
export const PREVIEW_LIMIT = { perAddress: 30, windowSeconds: 60 } as const;

export class SharePreviewLimiter {
  private readonly perAddress: RateLimiterRedis;

  constructor(redis: Redis, limits: { perAddress: number; windowSeconds: number } = PREVIEW_LIMIT) {
    this.perAddress = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: "sam:rl:share-preview-ip",
      points: limits.perAddress,
      duration: limits.windowSeconds,
    });
  }

  /** Counts one look-up for the address; 429 rate_limited (with Retry-After) once it has spent its allowance. */
  async consume(address: string): Promise<void> {
    try {
      await this.perAddress.consume(address);
    } catch (err) {
      if (!(err instanceof RateLimiterRes || typeof (err as RateLimiterRes)?.msBeforeNext === "number")) throw err;
      const seconds = Math.max(1, Math.ceil((err as RateLimiterRes).msBeforeNext / 1000));
      throw new ApiError(429, "rate_limited", `Too many share links were looked up from your address. Try again in ${seconds} seconds.`, {
        "retry-after": String(seconds),
      });
    }
  }
}
