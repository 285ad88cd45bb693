import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { ApiError } from "../../http/errors";

/**
 * How often one person may download rooms as zips (GET /api/v1/rooms/:id/archive).
 * Each download makes collab serialize the whole room (up to 16 MiB, on the
 * thread that serves every room's edits), sends it through Redis and has the
 * web process parse and compress it: the read a room run pays for with the
 * run rate (SAM_RUNS_PER_MINUTE) before it starts. The room-snapshot lease
 * bounds only how many are under way at once, so without this any member,
 * a viewer who came through a share link too, could ask again the moment one
 * ended, for ever. A person downloads a zip now and then: the cap is far
 * above that. Counted per user in Redis, shared by every web process.
 */
export const ARCHIVE_DOWNLOAD_LIMIT = { perUser: 20, windowSeconds: 60 } as const;

export class ArchiveDownloadLimiter {
  private readonly perUser: RateLimiterRedis;

  constructor(redis: Redis) {
    this.perUser = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: "sam:rl:room-archive",
      points: ARCHIVE_DOWNLOAD_LIMIT.perUser,
      duration: ARCHIVE_DOWNLOAD_LIMIT.windowSeconds,
    });
  }

  /** Counts one download; 429 rate_limited (with Retry-After) once the user has spent the window's allowance. */
  async consume(userId: string): Promise<void> {
    try {
      await this.perUser.consume(userId);
    } catch (err) {
      if (!(err instanceof RateLimiterRes || typeof (err as RateLimiterRes)?.msBeforeNext === "number")) throw err;
      const seconds = Math.max(1, Math.ceil((err as RateLimiterRes).msBeforeNext / 1000));
      throw new ApiError(
        429,
        "rate_limited",
        `You downloaded rooms as zips ${ARCHIVE_DOWNLOAD_LIMIT.perUser} times this minute. Try again in ${seconds} seconds.`,
        {
          "retry-after": String(seconds),
        },
      );
    }
  }
}
