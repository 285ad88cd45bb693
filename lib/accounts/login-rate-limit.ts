import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { ApiError } from "../http/errors";
import { usernameKey } from "./credentials";

/**
 * Login throttling, shared by the API and the sign-in page, and across every
 * web process through Redis:
 *  - per username, attempts counted as failures until the password proves right
 *    (a success clears them): stops guessing one account's password;
 *  - per client IP, all attempts: stops one client spraying many accounts.
 * rate-limiter-flexible is a well-kept library for exactly this, with atomic Redis counters.
 */
export interface LoginLimits {
  maxFailuresPerUser: number;
  maxAttemptsPerIp: number;
  windowSeconds: number;
}

export class LoginRateLimiter {
  private readonly perUser: RateLimiterRedis;
  private readonly perIp: RateLimiterRedis;

  constructor(redis: Redis, readonly limits: LoginLimits) {
    this.perUser = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: "sam:rl:login-user",
      points: limits.maxFailuresPerUser,
      duration: limits.windowSeconds,
    });
    this.perIp = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: "sam:rl:login-ip",
      points: limits.maxAttemptsPerIp,
      duration: limits.windowSeconds,
    });
  }

  /**
   * Counts this attempt against the client address and, as a failure, against
   * the username, before the password is checked, and refuses (429) when either
   * limit is spent. Counting first is what makes the limit hold under parallel
   * guesses: reading the count before the check and writing it after let every
   * guess of a burst through. A correct password then clears the username's count.
   */
  async beforeAttempt(username: string, ip: string): Promise<void> {
    await consumeOr429(this.perIp, ip, "from your address");
    await consumeOr429(this.perUser, usernameKey(username), "for this username");
  }

  /** The password was right: failures no longer count against the name. */
  async afterSuccess(username: string): Promise<void> {
    await this.perUser.delete(usernameKey(username));
  }

  /** The check itself failed (not the password): give the counted failure back. */
  async refund(username: string): Promise<void> {
    await this.perUser.reward(usernameKey(username), 1).catch(() => undefined);
  }
}

async function consumeOr429(limiter: RateLimiterRedis, key: string, scope: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw tooMany(err.msBeforeNext, scope);
    throw err;
  }
}

function tooMany(msBeforeNext: number, scope: string): ApiError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new ApiError(
    429,
    "rate_limited",
    `Too many sign-in attempts ${scope}. Try again in ${seconds} seconds.`,
    { "retry-after": String(seconds) },
  );
}
