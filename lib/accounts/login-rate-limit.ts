import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { ApiError } from "../http/errors";
import { usernameKey } from "./credentials";

/**
 * Login throttling, shared by the API and the sign-in page, and across every
 * web process through Redis:
 *  - per username, failed attempts (a success clears them): stops guessing one account's password;
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

  /** Counts an attempt from `ip` and refuses (429) when either limit is spent. Call before checking the password. */
  async beforeAttempt(username: string, ip: string): Promise<void> {
    const userState = await this.perUser.get(usernameKey(username));
    if (userState && userState.consumedPoints >= this.limits.maxFailuresPerUser) {
      throw tooMany(userState.msBeforeNext, "for this username");
    }
    try {
      await this.perIp.consume(ip);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw tooMany(err.msBeforeNext, "from your address");
      throw err;
    }
  }

  async afterFailure(username: string): Promise<void> {
    await this.perUser.penalty(usernameKey(username), 1);
  }

  async afterSuccess(username: string): Promise<void> {
    await this.perUser.delete(usernameKey(username));
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
