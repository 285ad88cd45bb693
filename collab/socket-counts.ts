import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * Open room sockets per user across every collab process, for the
 * per-user limit: one sorted set per user in Redis, one member per socket
 * (and room: one socket may carry several rooms), scored with the time it
 * expires. Each process renews its own sockets while they are open, so the
 * sockets of a process that died without closing them stop counting within
 * TTL_MS. Times are Redis's clock (machines' clocks differ), and admitting
 * is one script: sockets opened at the same moment cannot all squeeze in,
 * nor all be turned away.
 */
const TTL_MS = 60_000;
const key = (userId: string) => `sam:collab:sockets:${userId}`;

/** KEYS[1] the user's set; ARGV: member, limit (0: only count), ttl. Returns [admitted 0/1, count]. */
const ADMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local count = redis.call('ZCARD', KEYS[1])
local limit = tonumber(ARGV[2])
if limit == 0 or count >= limit then return {0, count} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, count + 1}
`;

/** KEYS[1] a user's set; ARGV[1] ttl, the rest that user's sockets on this process. */
const RENEW = `
local t = redis.call('TIME')
local expires = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], expires, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
`;

export class SocketCounts {
  /** This process's sockets (member -> user), to renew. */
  private readonly mine = new Map<string, string>();
  private readonly process = randomUUID();
  private readonly renewal: NodeJS.Timeout;

  constructor(private readonly redis: Redis) {
    this.renewal = setInterval(() => void this.renew().catch(() => undefined), TTL_MS / 3);
    this.renewal.unref();
  }

  /** How many sockets the user has open now, anywhere. */
  async count(userId: string): Promise<number> {
    const [, count] = (await this.redis.eval(ADMIT, 1, key(userId), "", 0, TTL_MS)) as [number, number];
    return count;
  }

  /** Counts this socket if the user has fewer than `limit` open; false (and not counted) otherwise. */
  async admit(userId: string, connectionId: string, limit: number): Promise<boolean> {
    const member = `${this.process}:${connectionId}`;
    const [admitted] = (await this.redis.eval(ADMIT, 1, key(userId), member, limit, TTL_MS)) as [number, number];
    if (admitted) this.mine.set(member, userId);
    return admitted === 1;
  }

  async remove(userId: string, connectionId: string): Promise<void> {
    const member = `${this.process}:${connectionId}`;
    if (!this.mine.delete(member)) return;
    await this.redis.zrem(key(userId), member);
  }

  private async renew(): Promise<void> {
    const byUser = new Map<string, string[]>();
    for (const [member, userId] of this.mine) byUser.set(userId, [...(byUser.get(userId) ?? []), member]);
    await Promise.all([...byUser].map(([userId, members]) => this.redis.eval(RENEW, 1, key(userId), TTL_MS, ...members)));
  }

  /** At shutdown: this process's sockets no longer count. */
  async clear(): Promise<void> {
    clearInterval(this.renewal);
    const batch = this.redis.multi();
    for (const [member, userId] of this.mine) batch.zrem(key(userId), member);
    this.mine.clear();
    await batch.exec();
  }
}
