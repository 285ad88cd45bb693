import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { ApiError } from "../../http/errors";
import { COURSE_LIMITS } from "./limits";

/**
 * Slows down guessing invite codes, as the sign-in limiter
 * (lib/accounts/login-rate-limit.ts) slows down guessing passwords: every
 * attempt is counted as a failure before the code is looked up (so a burst in
 * parallel cannot race past), and a successful join takes its count back.
 * Two counters, in Redis so every web process shares them: per account (one
 * account cannot guess for long) and per client address (many fresh accounts
 * from one address cannot either). With 10 failures per account per 15
 * minutes a guesser needs ~10^13 years for one chance in two of a code.
 */
export class JoinLimiter {
  private readonly perAccount: RateLimiterRedis;
  private readonly perAddress: RateLimiterRedis;

  constructor(redis: Redis, limits = COURSE_LIMITS) {
    const limiter = (keyPrefix: string, points: number) => new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration: limits.joinWindowSeconds });
    this.perAccount = limiter("sam:rl:course-join-user", limits.joinFailuresPerAccount);
    this.perAddress = limiter("sam:rl:course-join-ip", limits.joinFailuresPerAddress);
  }

  /** Counts the attempt against the account and the address; 429 rate_limited when either has spent its failures. */
  async beforeAttempt(userId: string, address: string): Promise<void> {
    await consumeOr429(this.perAccount, userId, "You entered too many wrong invite codes.");
    try {
      await consumeOr429(this.perAddress, address, "Too many wrong invite codes were entered from your address.");
    } catch (err) {
      await this.perAccount.reward(userId, 1).catch(() => undefined);
      throw err;
    }
  }

  /** The code was right (or the failure was ours): the attempt does not count. */
  async refund(userId: string, address: string): Promise<void> {
    await Promise.all([this.perAccount.reward(userId, 1).catch(() => undefined), this.perAddress.reward(address, 1).catch(() => undefined)]);
  }
}

async function consumeOr429(limiter: RateLimiterRedis, key: string, what: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (err) {
    if (!(err instanceof RateLimiterRes || typeof (err as RateLimiterRes)?.msBeforeNext === "number")) throw err;
    const seconds = Math.max(1, Math.ceil((err as RateLimiterRes).msBeforeNext / 1000));
    throw new ApiError(429, "rate_limited", `${what} Try again in ${seconds} seconds.`, { "retry-after": String(seconds) });
  }
}
