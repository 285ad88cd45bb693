import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createRedis } from "../../lib/redis/connection";
import { QueueDepthReader } from "../../supervisor/autoscale/queue-depth";

/**
 * What the autoscaler reads from BullMQ (real Redis, a queue of its own):
 * plain waiting jobs sit in a list, jobs with a priority in a sorted set;
 * both count, and the oldest wait is found in either.
 */
const connection = createRedis(inject("redisUrl"));
const queueName = `test-depth-${randomBytes(6).toString("hex")}`;
const queue = new Queue(queueName, { connection });
const reader = new QueueDepthReader(connection, queueName);
afterAll(async () => {
  await queue.obliterate({ force: true });
  await reader.close();
  await queue.close();
  connection.disconnect();
});

describe("the queue depth the autoscaler sees", () => {
  it("counts waiting and prioritized jobs and finds the oldest among both", async () => {
    const now = Date.now();
    expect(await reader.read(now)).toEqual({ queued: 0, oldestWaitMs: 0 });
    await queue.add("run", { n: 1 }, { timestamp: now - 2_000 });
    await queue.add("run", { n: 2 }, { timestamp: now - 1_000 });
    // A low-priority job (a high number) that has waited longest: it sits at the far end of the sorted set.
    await queue.add("run", { n: 3 }, { priority: 10, timestamp: now - 30_000 });
    await queue.add("run", { n: 4 }, { priority: 1, timestamp: now - 5_000 });
    expect(await reader.read(now)).toEqual({ queued: 4, oldestWaitMs: 30_000 });
  });
});
