import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { ApiError } from "../http/errors";
import { addressKey } from "../http/client-ip";
import { usernameKey } from "./credentials";

/**
 * Login throttling, shared by the API and the sign-in page, and across every
 * web process through Redis. Three counters, as in rate-limiter-flexible's
 * "login endpoint protection" example and OWASP's advice against lockouts
 * that anyone can trigger:
 *  - per client address (its /64 for IPv6), all attempts: one client cannot
 *    spray many accounts;
 *  - per (username, address) pair, failures: one client cannot guess one
 *    account's password for long. This is what refuses a guesser, and it
 *    refuses only that address: the account's owner elsewhere is not locked out;
 *  - per username, failures from every address together, with a much higher
 *    ceiling: a guesser spreading over many addresses is stopped too. Past it,
 *    only addresses the account signed in from before (in the last 30 days),
 *    and devices that did (device-cookies.ts), may still try, each within its
 *    own pair limit; so even then the owner, at a network they used before or
 *    on a device they used before, is not locked out.
 * Every attempt is counted, as a failure, before the password is checked, and
 * a correct password clears its pair's count: parallel guesses cannot race past
 * the limits (reading the count before the check and writing it after let every
 * guess of a burst through).
 */
export interface LoginLimits {
  /** Failures for one username from one address within the window (SAM_LOGIN_MAX_FAILURES_PER_USER). */
  maxFailuresPerUserAndAddress: number;
  /** Failures for one username from all addresses together (SAM_LOGIN_MAX_FAILURES_PER_ACCOUNT). */
  maxFailuresPerUser: number;
  /** Attempts from one address, any usernames (SAM_LOGIN_MAX_ATTEMPTS_PER_IP). */
  maxAttemptsPerIp: number;
  windowSeconds: number;
}

/** How long, and how many, addresses an account signed in from are remembered as its own. */
const KNOWN_ADDRESS_DAYS = 30;
const KNOWN_ADDRESSES_KEPT = 20;

export class LoginRateLimiter {
  private readonly perIp: RateLimiterRedis;
  private readonly perPair: RateLimiterRedis;
  private readonly perUser: RateLimiterRedis;
  private readonly perDevice: RateLimiterRedis;

  constructor(
    private readonly redis: Redis,
    readonly limits: LoginLimits,
  ) {
    const limiter = (keyPrefix: string, points: number) => new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration: limits.windowSeconds });
    this.perIp = limiter("sam:rl:login-ip", limits.maxAttemptsPerIp);
    this.perPair = limiter("sam:rl:login-user-ip", limits.maxFailuresPerUserAndAddress);
    this.perUser = limiter("sam:rl:login-user", limits.maxFailuresPerUser);
    this.perDevice = limiter("sam:rl:login-user-device", limits.maxFailuresPerUserAndAddress);
  }

  /**
   * Counts this attempt against the client address, and as a failure against
   * the (username, address) pair and the username, before the password is
   * checked; refuses (429) when the address or the pair has spent its limit,
   * or when the username has and neither this address nor this device
   * (`device`: the id of the account's device cookie it sent) signed in
   * before, or the device has spent its own failures.
   */
  async beforeAttempt(username: string, address: string, device?: string): Promise<void> {
    const from = addressKey(address);
    const user = usernameKey(username);
    await consumeOr429(this.perIp, from, "Too many sign-in attempts from your address.");
    await consumeOr429(this.perPair, pairKey(user, from), "Too many failed sign-ins for this username from your address.");
    try {
      await this.perUser.consume(user);
    } catch (err) {
      if (!isRejection(err)) throw err;
      // A known address gets in whatever a copy of the device's cookie did elsewhere.
      if (await this.isKnownAddress(user, from)) return;
      if (device) return consumeOr429(this.perDevice, pairKey(user, device), "Too many failed sign-ins for this username from this device.");
      throw tooMany(
        err.msBeforeNext,
        "This account had too many failed sign-ins from many addresses, so only networks and devices it signed in from before may sign in to it for now.",
      );
    }
  }

  /**
   * The password was right: this address's failures no longer count, this
   * attempt is taken off the account's count (it was no failure; the others'
   * failures stay counted), and the address is remembered as the account's own.
   */
  async afterSuccess(username: string, address: string, device?: string): Promise<void> {
    const from = addressKey(address);
    const user = usernameKey(username);
    const known = knownKey(user);
    await this.perPair.delete(pairKey(user, from));
    if (device) await this.perDevice.delete(pairKey(user, device));
    await this.perUser.reward(user, 1);
    await this.redis
      .multi()
      .zadd(known, Date.now(), from)
      .zremrangebyrank(known, 0, -KNOWN_ADDRESSES_KEPT - 1)
      .expire(known, KNOWN_ADDRESS_DAYS * 24 * 3600)
      .exec();
  }

  /** The check itself failed (not the password): give the counted failures back. */
  async refund(username: string, address: string): Promise<void> {
    const user = usernameKey(username);
    await Promise.all([this.perPair.reward(pairKey(user, addressKey(address)), 1).catch(() => undefined), this.perUser.reward(user, 1).catch(() => undefined)]);
  }

  private async isKnownAddress(user: string, from: string): Promise<boolean> {
    const since = Date.now() - KNOWN_ADDRESS_DAYS * 24 * 3600 * 1000;
    const score = await this.redis.zscore(knownKey(user), from);
    return score !== null && Number(score) >= since;
  }
}

const pairKey = (user: string, from: string) => `${user}|${from}`;
const knownKey = (user: string) => `sam:login-known:${user}`;

function isRejection(err: unknown): err is RateLimiterRes {
  return err instanceof RateLimiterRes || (typeof err === "object" && err !== null && typeof (err as RateLimiterRes).msBeforeNext === "number");
}

async function consumeOr429(limiter: RateLimiterRedis, key: string, what: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (err) {
    if (isRejection(err)) throw tooMany(err.msBeforeNext, what);
    throw err;
  }
}

function tooMany(msBeforeNext: number, what: string): ApiError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new ApiError(429, "rate_limited", `${what} Try again in ${seconds} seconds.`, { "retry-after": String(seconds) });
}
