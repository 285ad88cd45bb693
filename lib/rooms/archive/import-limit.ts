import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { ApiError } from "../../http/errors";

/**
 * How often one person may create rooms from zips (POST /api/v1/rooms/import),
 * counted before the body is read, so refused imports count too. A zip of a
 * few KiB may inflate to the 16 MiB the import reads (ROOM_ZIP_LIMITS), and
 * its text is decoded, built into a document and stored: without a cap, one
 * account sending such zips back to back (each refused, or each room deleted
 * again) kept the web process and zlib's threads busy for everyone. A person
 * imports a zip now and then: the cap is far above that. Counted per user in
 * Redis, shared by every web process.
 */
export const IMPORT_LIMIT = { perUser: 30, windowSeconds: 60 } as const;

export class ImportLimiter {
  private readonly perUser: RateLimiterRedis;

  constructor(redis: Redis) {
    this.perUser = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: "sam:rl:room-import",
      points: IMPORT_LIMIT.perUser,
      duration: IMPORT_LIMIT.windowSeconds,
    });
  }

  /** Counts one import; 429 rate_limited (with Retry-After) once the user has spent the window's allowance. */
  async consume(userId: string): Promise<void> {
    try {
      await this.perUser.consume(userId);
    } catch (err) {
      if (!(err instanceof RateLimiterRes || typeof (err as RateLimiterRes)?.msBeforeNext === "number")) throw err;
      const seconds = Math.max(1, Math.ceil((err as RateLimiterRes).msBeforeNext / 1000));
      throw new ApiError(429, "rate_limited", `You created rooms from ${IMPORT_LIMIT.perUser} zips this minute. Try again in ${seconds} seconds.`, {
        "retry-after": String(seconds),
      });
    }
  }
}
