import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { QueueDepth } from "../lib/metrics/queue-depth";
import { createRegistry } from "../lib/metrics/registry";
import type { Backing } from "../tests/support/stack";

/** Queued jobs to measure a scrape against; the classes cycle interactive, api, batch. */
const DEPTHS = (process.env.BENCH_METRICS_DEPTHS ?? "1000,10000,50000").split(",").map(Number);
const CLASSES = ["interactive", "api", "batch"];
const SCRAPES = 10;

export interface ScrapeCost {
  jobs: number;
  /** The first scrape reads every job's class once (ms). */
  firstMs: number;
  /** Later scrapes read only the ids (median ms), the cache expired before each. */
  steadyMs: number;
}

/**
 * What computing sam_queue_jobs and sam_queue_oldest_wait_seconds costs a
 * web process per scrape, with a queue this deep (jobs waiting, half of
 * them prioritized), against the real Redis.
 */
export async function benchQueueDepth(backing: Backing, log: (m: string) => void): Promise<ScrapeCost[]> {
  const redis = new Redis(backing.redisUrl, { maxRetriesPerRequest: null });
  const results: ScrapeCost[] = [];
  try {
    for (const jobs of DEPTHS) {
      const name = `bench-metrics-${jobs}`;
      const queue = new Queue(name, { connection: redis });
      log(`queueing ${jobs} jobs for the scrape bench`);
      for (let i = 0; i < jobs; i += 1000) {
        const batch = Array.from({ length: Math.min(1000, jobs - i) }, (_, j) => ({
          name: "run",
          data: { executionId: `e${i + j}`, workClass: CLASSES[(i + j) % 3] },
          opts: { jobId: `e${i + j}`, ...((i + j) % 2 ? { priority: 1 + ((i + j) % 100) } : {}) },
        }));
        await queue.addBulk(batch);
      }
      const registry = createRegistry("web");
      new QueueDepth(redis, name).register(registry);
      const time = async () => {
        const start = performance.now();
        await registry.getSingleMetricAsString("sam_queue_jobs");
        return performance.now() - start;
      };
      const firstMs = await time();
      const steady: number[] = [];
      for (let i = 0; i < SCRAPES; i++) {
        await new Promise((r) => setTimeout(r, 2100)); // past the cache
        steady.push(await time());
      }
      steady.sort((a, b) => a - b);
      results.push({ jobs, firstMs, steadyMs: steady[Math.floor(steady.length / 2)]! });
      await queue.obliterate({ force: true });
      await queue.close();
    }
  } finally {
    redis.disconnect();
  }
  return results;
}
