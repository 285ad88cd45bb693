import os from "node:os";
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * Each service process announces itself in Redis every few seconds, so the
 * health route can say how many web, collab and runner processes are alive
 * across all machines sharing this Redis.
 */
export const SERVICES = ["web", "collab", "runner"] as const;
export type ServiceName = (typeof SERVICES)[number];

const INTERVAL_MS = 5000;
const ALIVE_MS = 15000;
const key = (service: ServiceName) => `sam:services:${service}`;

export class Heartbeat {
  readonly instanceId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly service: ServiceName,
  ) {}

  start(): void {
    const beat = () => void this.redis.zadd(key(this.service), Date.now(), this.instanceId).catch(() => undefined);
    beat();
    this.timer = setInterval(beat, INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    // Bounded: with Redis gone the entry simply ages out of the health count.
    await Promise.race([
      this.redis.zrem(key(this.service), this.instanceId).catch(() => undefined),
      new Promise((r) => setTimeout(r, 1000).unref()),
    ]);
  }
}

/** How many processes of each service have announced themselves recently. */
export async function aliveServices(redis: Redis): Promise<Record<ServiceName, number>> {
  const cutoff = Date.now() - ALIVE_MS;
  const pipeline = redis.pipeline();
  for (const s of SERVICES) {
    pipeline.zremrangebyscore(key(s), "-inf", cutoff);
    pipeline.zcard(key(s));
  }
  const results = (await pipeline.exec()) ?? [];
  const counts = {} as Record<ServiceName, number>;
  SERVICES.forEach((s, i) => (counts[s] = Number(results[i * 2 + 1]?.[1] ?? 0)));
  return counts;
}
