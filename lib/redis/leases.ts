import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * Counts things a user holds open across every process (e.g. event streams),
 * up to a cap: one sorted set per user in Redis, one member per thing, scored
 * with the time its lease runs out. The holder renews its lease while the
 * thing is open and removes it when it closes; a process that dies stops
 * renewing, so its things stop counting within `ttlMs`. Times are Redis's
 * clock, and taking a place is one script, so things opened at the same
 * moment cannot all squeeze in past the cap.
 */

/** KEYS[1] the user's set; ARGV: member, cap, ttl ms. Returns 1 when the member now holds a place, else 0. */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

/** KEYS[1] the user's set; ARGV: member, ttl ms. Renews the member's lease if it still holds one. */
const RENEW = `
local t = redis.call('TIME')
local expires = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[2])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], expires, ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
`;

export interface Lease {
  /** Gives the place back (idempotent). */
  release(): Promise<void>;
}

export class LeaseCounter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs = 30_000,
  ) {}

  /** A place for one more thing of `userId`, or null when they already hold `cap`. */
  async acquire(userId: string, cap: number): Promise<Lease | null> {
    const key = `${this.prefix}:${userId}`;
    const member = randomUUID();
    if ((await this.redis.eval(ACQUIRE, 1, key, member, cap, this.ttlMs)) !== 1) return null;
    const renewal = setInterval(() => void this.redis.eval(RENEW, 1, key, member, this.ttlMs).catch(() => undefined), this.ttlMs / 3);
    renewal.unref();
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(renewal);
        await this.redis.zrem(key, member).catch(() => undefined);
      },
    };
  }
}
