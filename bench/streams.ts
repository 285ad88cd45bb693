import { setMaxListeners } from "node:events";
import { createRedis } from "../lib/redis/connection";
import { StreamReader } from "../lib/redis/stream-reader";
import { startEmbeddedRedis } from "../supervisor/embedded-redis";
import { tempDir } from "../tests/support/stack";

/**
 * `node --import tsx bench/streams.ts`: what the process's one StreamReader
 * (lib/redis/stream-reader.ts) costs a follower in latency, against a
 * follower with a blocking connection of its own (XREAD BLOCK), as every
 * event stream had before. Milliseconds from XADD to the follower having the
 * entry: p50 and p99 over SAMPLES.
 *  - waiting: the follower already waits when the entry is added;
 *  - joining: the follower starts waiting while the reader is blocked on
 *    other keys (the wake-up round trip), and the entry comes right after;
 *  - busy: as waiting, with 200 other followers waiting on other keys.
 */
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const dir = tempDir("sam-bench-streams-");
  const server = await startEmbeddedRedis(dir, () => undefined);
  const redis = createRedis(server.url);
  const own = createRedis(server.url);
  const reader = new StreamReader(redis);
  const results: Record<string, number[]> = { "own connection": [], "shared, waiting": [], "shared, joining": [], "shared, busy (200 others)": [] };
  try {
    for (let i = 0; i < SAMPLES; i++) {
      const key = `bench:own:${i}`;
      const read = own.xread("BLOCK", 10_000, "STREAMS", key, "0");
      await pause(2);
      const start = performance.now();
      await redis.xadd(key, "*", "n", "1");
      await read;
      results["own connection"]!.push(performance.now() - start);
    }
    for (let i = 0; i < SAMPLES; i++) {
      const key = `bench:shared:${i}`;
      const read = reader.read(key, "0", 10, 10_000);
      await pause(2);
      const start = performance.now();
      await redis.xadd(key, "*", "n", "1");
      await read;
      results["shared, waiting"]!.push(performance.now() - start);
    }
    // Keeps the reader blocked on another key while each follower joins.
    const holder = new AbortController();
    setMaxListeners(0, holder.signal); // one signal for the 201 waiting followers below
    void reader.read("bench:holder", "0", 10, 600_000, holder.signal);
    await pause(20);
    for (let i = 0; i < SAMPLES; i++) {
      const key = `bench:join:${i}`;
      const start = performance.now();
      const read = reader.read(key, "0", 10, 10_000);
      await redis.xadd(key, "*", "n", "1");
      await read;
      results["shared, joining"]!.push(performance.now() - start);
    }
    const others = Array.from({ length: 200 }, (_, i) => reader.read(`bench:other:${i}`, "0", 10, 600_000, holder.signal));
    await pause(50);
    for (let i = 0; i < SAMPLES; i++) {
      const key = `bench:busy:${i}`;
      const read = reader.read(key, "0", 10, 10_000);
      await pause(2);
      const start = performance.now();
      await redis.xadd(key, "*", "n", "1");
      await read;
      results["shared, busy (200 others)"]!.push(performance.now() - start);
    }
    holder.abort();
    await Promise.all(others);
    console.log(`| follower | p50 ms | p99 ms |\n|---|---|---|`);
    for (const [name, values] of Object.entries(results))
      console.log(`| ${name} | ${percentile(values, 50).toFixed(2)} | ${percentile(values, 99).toFixed(2)} |`);
  } finally {
    reader.close();
    redis.disconnect();
    own.disconnect();
    await server.stop();
  }
}

await main();
