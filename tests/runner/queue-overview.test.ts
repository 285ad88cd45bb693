import { afterAll, describe, expect, inject, it } from "vitest";
import { queueOverview } from "../../lib/admin/queue-overview";
import { createDatabase } from "../../lib/db/client";
import { createRedis } from "../../lib/redis/connection";
import { Heartbeat } from "../../lib/services/heartbeat";
import { FakeDriver } from "../support/fake-driver";
import { QueueHarness } from "../support/queue-harness";

/**
 * The admin page's figures from a real BullMQ queue and real heartbeats:
 * jobs counted per state and work class (a job without one is "api"), the
 * oldest waiting, and runners with what they said about themselves.
 */
const db = createDatabase(inject("databaseUrl"));
const redis = createRedis(inject("redisUrl"));
const h = new QueueHarness(inject("redisUrl"), db, new FakeDriver(() => ({ kind: "program", stdout: "", exitCode: 0 })));
afterAll(async () => {
  await h.close();
  await db.$disconnect();
  redis.disconnect();
});

describe("queue overview", () => {
  it("counts per state and class, finds the oldest waiting run, lists runners with their details", async () => {
    // No worker: the jobs stay where they are put.
    await h.queue.add("run", { executionId: "old", workClass: "batch" } as never, { jobId: "old" });
    await new Promise((r) => setTimeout(r, 20));
    await h.queue.add("run", { executionId: "legacy" }, { jobId: "legacy" });
    await h.queue.add("run", { executionId: "room", workClass: "interactive" } as never, { jobId: "room", priority: 1 });
    await h.queue.add("run", { executionId: "later", workClass: "interactive" } as never, { jobId: "later", delay: 60_000 });

    const beat = new Heartbeat(redis, "runner");
    beat.describe(() => ({ driver: "oci", concurrency: 3, running: ["some-run"] }));
    beat.start();
    try {
      await expect.poll(async () => (await queueOverview({ db, redis, queue: h.queue })).runners.map((r) => r.id)).toContain(beat.instanceId);
      const q = await queueOverview({ db, redis, queue: h.queue });
      expect(q.counts).toMatchObject({ waiting: 3, prioritized: 1, delayed: 1, active: 0 });
      expect(q.byClass).toMatchObject({
        interactive: { waiting: 1, delayed: 1, active: 0 },
        api: { waiting: 1, delayed: 0, active: 0 },
        batch: { waiting: 1, delayed: 0, active: 0 },
      });
      expect(q.sampled).toBe(false);
      expect(q.oldestWaiting?.executionId).toBe("old");
      expect(q.runners.find((r) => r.id === beat.instanceId)).toMatchObject({ driver: "oci", concurrency: 3, running: ["some-run"] });
    } finally {
      await beat.stop();
    }
    // A runner that stopped is no longer listed, nor are its details kept.
    expect((await queueOverview({ db, redis, queue: h.queue })).runners.map((r) => r.id)).not.toContain(beat.instanceId);
    expect(await redis.hexists("sam:services:runner:details", beat.instanceId)).toBe(0);
  });
});
