import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../../lib/db/client";
import { DEFAULT_POLICY, resolveLimits } from "../../lib/executions/limits";
import { createRedis } from "../../lib/redis/connection";
import { deleteOldExecutions, startRetention } from "../../runner/queue/retention";
import { registerUser } from "../support/api";
import { eventually } from "../support/rooms";
import type { ExecutionStatus } from "../../lib/executions/status";

/**
 * Old executions are deleted after the configured number of days (their
 * files with them), by a BullMQ job scheduler; runs still queued or running,
 * and recent ones, are kept.
 */
const db = createDatabase(inject("databaseUrl"));
const redis = createRedis(inject("redisUrl"));
let userId: string;
beforeAll(async () => {
  userId = (await registerUser()).id;
});
afterAll(async () => {
  await db.$disconnect();
  redis.disconnect();
});

const DAY = 24 * 3600_000;

async function execution(ageDays: number, status: ExecutionStatus) {
  const row = await db.execution.create({
    data: {
      userId,
      language: "python",
      version: "3",
      status,
      createdAt: new Date(Date.now() - ageDays * DAY),
      files: { create: [{ position: 0, name: "main.py", content: Buffer.from("print(1)") }] },
      limits: { ...resolveLimits(DEFAULT_POLICY, {}) },
    },
  });
  return row.id;
}

const exists = async (id: string) => (await db.execution.count({ where: { id } })) === 1;

describe("retention of executions", () => {
  it("deletes finished runs older than the retention, with their files; keeps newer ones and unfinished ones", async () => {
    const old = await execution(45, "succeeded");
    const oldFailed = await execution(31, "internal_error");
    const oldQueued = await execution(40, "queued");
    const recent = await execution(29, "succeeded");
    const fresh = await execution(0, "failed");
    expect(await deleteOldExecutions(db, 30)).toBeGreaterThanOrEqual(2);
    expect(await exists(old)).toBe(false);
    expect(await exists(oldFailed)).toBe(false);
    expect(await db.executionFile.count({ where: { executionId: old } })).toBe(0);
    expect(await exists(oldQueued)).toBe(true);
    expect(await exists(recent)).toBe(true);
    expect(await exists(fresh)).toBe(true);
  });

  it("runs on a BullMQ job scheduler, and 0 days removes the schedule", async () => {
    const queueName = `test-maintenance-${randomBytes(4).toString("hex")}`;
    const old = await execution(400, "succeeded");
    const kept = await execution(2, "succeeded");
    const stop = await startRetention({ db, connection: createRedis(inject("redisUrl")), log: pino({ level: "silent" }), days: 365, queueName, everyMs: 500 });
    try {
      const queue = new Queue(queueName, { connection: createRedis(inject("redisUrl")) });
      expect((await queue.getJobSchedulers()).map((s) => s.key)).toContain("delete-old-executions");
      await eventually("the scheduled deletion", async () => !(await exists(old)), 20_000);
      expect(await exists(kept)).toBe(true);
      await stop();
      const stopAgain = await startRetention({ db, connection: createRedis(inject("redisUrl")), log: pino({ level: "silent" }), days: 0, queueName });
      expect(await queue.getJobSchedulers()).toEqual([]);
      await stopAgain();
      await queue.close();
    } finally {
      await stop().catch(() => undefined);
    }
  });
});
