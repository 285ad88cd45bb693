import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * Open room sockets per user across every collab process, for the
 * per-user limit: one sorted set per user in Redis, one member per socket
 * (and room: one socket may carry several rooms),
 * scored with the time it expires. Each process renews its own sockets
 * while they are open, so the sockets of a process that died without
 * closing them stop counting within TTL_MS.
 */
const TTL_MS = 60_000;
const key = (userId: string) => `sam:collab:sockets:${userId}`;

export class SocketCounts {
  /** This process's sockets (member -> user), to renew. */
  private readonly mine = new Map<string, string>();
  private readonly process = randomUUID();
  private readonly renewal: NodeJS.Timeout;

  constructor(private readonly redis: Redis) {
    this.renewal = setInterval(() => void this.renew().catch(() => undefined), TTL_MS / 3);
    this.renewal.unref();
  }

  async count(userId: string): Promise<number> {
    const [, card] = (await this.redis.multi().zremrangebyscore(key(userId), "-inf", Date.now()).zcard(key(userId)).exec()) ?? [];
    return Number(card?.[1] ?? 0);
  }

  async add(userId: string, connectionId: string): Promise<void> {
    const member = `${this.process}:${connectionId}`;
    this.mine.set(member, userId);
    await this.redis.multi().zadd(key(userId), Date.now() + TTL_MS, member).pexpire(key(userId), TTL_MS).exec();
  }

  async remove(userId: string, connectionId: string): Promise<void> {
    const member = `${this.process}:${connectionId}`;
    if (!this.mine.delete(member)) return;
    await this.redis.zrem(key(userId), member);
  }

  private async renew(): Promise<void> {
    if (this.mine.size === 0) return;
    const expires = Date.now() + TTL_MS;
    const batch = this.redis.multi();
    for (const [member, userId] of this.mine) batch.zadd(key(userId), expires, member).pexpire(key(userId), TTL_MS);
    await batch.exec();
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
