import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { afterAll, expect, inject, it } from "vitest";
import { readEventsNow } from "../../lib/executions/events";
import { resolveLimits, DEFAULT_POLICY } from "../../lib/executions/limits";
import { readFrames } from "../../lib/executions/output-frames";
import { eventsKey, EVENTS_MAX_ENTRIES } from "../../lib/executions/queue";
import { createRedis } from "../../lib/redis/connection";
import { executeProgram } from "../../runner/execution/execute";
import { EventBatcher } from "../../runner/queue/event-batcher";
import { attackSuite } from "../support/attack-suite";
import { language } from "../support/drivers";

/**
 * Attack F1: a program writing single bytes, alternating stdout and stderr.
 * The runner kept one Buffer per piece it read and wrote one Redis event per
 * change of channel, chained without limit: +0.75-1.3 GB of runner memory per
 * run, and a result that waited minutes for the chain to drain, holding the
 * runner's slot. Here the runner's own code (collector, live stream to real
 * Redis) runs in this process, so its memory is this process's.
 */
const redis = createRedis(inject("redisUrl"));
afterAll(() => redis.disconnect());

const MiB = 1024 * 1024;
const rssBytes = () => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"))![1]) * 1024;

const INTERLEAVE = `#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
  long total = atol(argv[1]);
  for (long i = 0; i < total; i++) write(1 + (i & 1), i & 1 ? "e" : "o", 1);
  return 0;
}
`;

attackSuite("many tiny writes alternating stdout and stderr", ({ driver }) => {
  it("the runner's memory stays bounded, the output is kept exactly, and the live stream stays bounded in Redis", async () => {
    const total = 8_000_000;
    const id = randomUUID();
    let writes = 0;
    const batcher = new EventBatcher(redis, id, async () => {
      writes++;
      return true;
    });
    const c = language("c");
    const limits = resolveLimits(DEFAULT_POLICY, c.limits, { outputKb: 16384, wallTimeMs: 60_000, cpuTimeMs: 30_000 });
    const base = rssBytes();
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes())), 50);
    let result: Awaited<ReturnType<typeof executeProgram>>;
    try {
      result = await executeProgram(
        driver(),
        c,
        { files: [{ name: "main.c", content: INTERLEAVE }], stdin: "", args: [String(total)] },
        limits,
        DEFAULT_POLICY.diskMb,
        {
          chunk: (channel, bytes) => batcher.add(channel, bytes),
        },
      );
      await batcher.finish(async () => undefined);
    } finally {
      clearInterval(sampler);
    }
    expect(result.status).toBe("succeeded");
    expect(result.bytes.stdout.equals(Buffer.alloc(total / 2, "o"))).toBe(true);
    expect(result.bytes.stderr.equals(Buffer.alloc(total / 2, "e"))).toBe(true);
    // Before: +400 MB or more for this run (one object per piece read, and the chain of writes).
    // The 8 MiB kept, plus garbage not yet collected: a generous bound.
    expect((peak - base) / MiB).toBeLessThan(250);
    // Writes follow the output's size, never its number of pieces (before: one per change of channel).
    expect(writes).toBeLessThan(total / 1000);
    // What Redis holds of the live stream stays capped, and what is there reads back in order.
    expect(await redis.xlen(eventsKey(id))).toBeLessThanOrEqual(EVENTS_MAX_ENTRIES + 100);
    const events = await readEventsNow(redis, id, "0", 500);
    expect(events.length).toBeGreaterThan(0);
    // Pieces of both channels share events; within one, consecutive pieces of a channel share a frame.
    const frames = events.flatMap((e) => [...readFrames(e.data)]);
    for (const e of events) {
      const own = [...readFrames(e.data)];
      expect(own.every((f, i) => i === 0 || f.channel !== own[i - 1]!.channel)).toBe(true);
    }
    expect(frames.every((f) => f.bytes.every((b) => b === (f.channel === "stdout" ? 0x6f : 0x65)))).toBe(true);
  }, 180_000);
});
