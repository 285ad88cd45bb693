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
/** What each live process says about itself (a runner: its driver, concurrency and current runs), by instance id. */
const detailsKey = (service: ServiceName) => `sam:services:${service}:details`;

/** What a process may say about itself on each beat; shown on the admin page. */
export type InstanceDetails = Record<string, unknown>;

export class Heartbeat {
  readonly instanceId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private timer: NodeJS.Timeout | undefined;
  private details: (() => InstanceDetails) | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly service: ServiceName,
  ) {}

  /** From now on each beat also stores what `details` returns (kept small: it is written every few seconds). */
  describe(details: () => InstanceDetails): void {
    this.details = details;
  }

  start(): void {
    const beat = () => {
      const multi = this.redis.multi().zadd(key(this.service), Date.now(), this.instanceId);
      if (this.details) multi.hset(detailsKey(this.service), this.instanceId, JSON.stringify(this.details()));
      void multi.exec().catch(() => undefined);
    };
    beat();
    this.timer = setInterval(beat, INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    // Bounded: with Redis gone the entry simply ages out of the health count.
    await Promise.race([
      this.redis
        .multi()
        .zrem(key(this.service), this.instanceId)
        .hdel(detailsKey(this.service), this.instanceId)
        .exec()
        .catch(() => undefined),
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

export interface AliveInstance {
  id: string;
  lastBeat: string;
  details: InstanceDetails;
}

/**
 * The processes of one service alive now, with what each said about itself
 * on its last beat. Details of processes that stopped beating are dropped on
 * the way (a process killed with -9 never removes its own).
 */
export async function aliveInstances(redis: Redis, service: ServiceName): Promise<AliveInstance[]> {
  const cutoff = Date.now() - ALIVE_MS;
  const flat = await redis.zrangebyscore(key(service), cutoff, "+inf", "WITHSCORES");
  const beats = new Map<string, number>();
  for (let i = 0; i < flat.length; i += 2) beats.set(flat[i]!, Number(flat[i + 1]));
  const stored = await redis.hgetall(detailsKey(service));
  const gone = Object.keys(stored).filter((id) => !beats.has(id));
  if (gone.length) await redis.hdel(detailsKey(service), ...gone);
  return [...beats].map(([id, at]) => ({ id, lastBeat: new Date(at).toISOString(), details: parseDetails(stored[id]) }));
}

function parseDetails(raw: string | undefined): InstanceDetails {
  try {
    const value: unknown = raw ? JSON.parse(raw) : {};
    return value && typeof value === "object" && !Array.isArray(value) ? (value as InstanceDetails) : {};
  } catch {
    return {};
  }
}
