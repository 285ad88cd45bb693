import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../../lib/db/client";
import { readEventsNow } from "../../lib/executions/events";
import { DEFAULT_POLICY, resolveLimits } from "../../lib/executions/limits";
import { MAX_ATTEMPTS } from "../../lib/executions/queue";
import { createRedis } from "../../lib/redis/connection";
import { language } from "../support/drivers";
import { FakeDriver, type FakeBehaviour } from "../support/fake-driver";
import { createExecutionWorker } from "../../runner/queue/worker";
import type { ProcessDeps } from "../../runner/queue/process-execution";
import { Watchdog } from "../../runner/queue/watchdog";
import { registerUser } from "../support/api";

/**
 * Queue semantics with a fake driver and the real Redis, PostgreSQL and BullMQ:
 * a failing program is a result (never retried); an infrastructure failure is
 * retried with backoff, at most 3 attempts, then internal_error with the reason
 * kept; a runner that dies mid-run loses the job to another, and the run still
 * has exactly one result.
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

async function setup(script: (attempt: number) => FakeBehaviour, workerOptions: { lockDurationMs?: number; stalledIntervalMs?: number } = {}) {
  const queueName = `test-${randomBytes(6).toString("hex")}`;
  const driver = new FakeDriver(script);
  const log = pino({ level: "silent" });
  const deps: ProcessDeps = {
    db,
    redis,
    driver,
    languages: new Map([["python", language("python")]]),
    diskMb: 64,
    log,
    running: new Map(),
    stopping: false,
    watchdog: new Watchdog({ graceMs: 60_000, log }),
  };
  const queue = new Queue(queueName, {
    connection: createRedis(inject("redisUrl")),
    defaultJobOptions: { attempts: MAX_ATTEMPTS, backoff: { type: "exponential", delay: 100 } },
  });
  const startWorker = (d = deps) => createExecutionWorker(d, { connection: createRedis(inject("redisUrl")), concurrency: 1, queueName, ...workerOptions });
  const execution = await db.execution.create({
    data: {
      userId,
      language: "python",
      version: "3",
      files: { create: [{ position: 0, name: "main.py", content: Buffer.from("print(1)") }] },
      limits: { ...resolveLimits(DEFAULT_POLICY, {}) },
    },
  });
  await queue.add("run", { executionId: execution.id }, { jobId: execution.id });
  return { driver, deps, queue, startWorker, id: execution.id };
}

async function waitForFinal(id: string) {
  for (let i = 0; i < 300; i++) {
    const row = await db.execution.findUniqueOrThrow({ where: { id } });
    if (!["queued", "running"].includes(row.status)) return row;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the execution never finished");
}

async function resultEvents(id: string) {
  return (await readEventsNow(redis, id, "0")).filter((e) => e.type === "result");
}

describe("execution queue", () => {
  it("a failing program is a result and is not retried", async () => {
    const t = await setup(() => ({ kind: "program", stdout: "boom\n", exitCode: 1 }));
    const worker = t.startWorker();
    const row = await waitForFinal(t.id);
    await worker.close();
    expect(row).toMatchObject({ status: "failed", exitCode: 1, attempts: 1 });
    expect(Buffer.from(row.stdout).toString()).toBe("boom\n");
    expect(t.driver.starts).toBe(1);
    expect(await resultEvents(t.id)).toHaveLength(1);
  });

  it("an infrastructure failure is retried, and the run ends with one result", async () => {
    const t = await setup((n) =>
      n < 3 ? { kind: "infrastructure_failure", message: `container did not start (${n})` } : { kind: "program", stdout: "ok\n", exitCode: 0 },
    );
    const worker = t.startWorker();
    const row = await waitForFinal(t.id);
    await worker.close();
    expect(row).toMatchObject({ status: "succeeded", attempts: 3 });
    expect(Buffer.from(row.stdout).toString()).toBe("ok\n");
    expect(t.driver.starts).toBe(3);
    expect(await resultEvents(t.id)).toHaveLength(1);
  });

  it("after 3 failed attempts the run is internal_error, saying in plain words what failed (not the internals)", async () => {
    const t = await setup(() => ({ kind: "infrastructure_failure", message: "the OCI runtime is broken: EACCES /run/crun" }));
    const worker = t.startWorker();
    const row = await waitForFinal(t.id);
    await worker.close();
    expect(row.status).toBe("internal_error");
    expect(row.error).toBe("The sandbox could not start or run the program (tried 3 times).");
    expect(t.driver.starts).toBe(MAX_ATTEMPTS);
    expect(await resultEvents(t.id)).toHaveLength(1);
  });

  it("a runner that dies mid-run loses the job to another; the late one cannot write a second result", async () => {
    // The first runner's run takes long; it "dies" (stops renewing its lock) while running.
    const t = await setup(
      (n) => (n === 1 ? { kind: "program", stdout: "late\n", exitCode: 0, delayMs: 4000 } : { kind: "program", stdout: "second\n", exitCode: 0 }),
      {
        lockDurationMs: 1000,
        stalledIntervalMs: 500,
      },
    );
    const dying = t.startWorker();
    await new Promise((r) => setTimeout(r, 300));
    await dying.close(true);
    const survivor = t.startWorker();
    const row = await waitForFinal(t.id);
    expect(row).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(Buffer.from(row.stdout).toString()).toBe("second\n");
    // Let the first run's late finish try to write.
    await new Promise((r) => setTimeout(r, 4500));
    await survivor.close();
    const after = await db.execution.findUniqueOrThrow({ where: { id: t.id } });
    expect(Buffer.from(after.stdout).toString()).toBe("second\n");
    expect(await resultEvents(t.id)).toHaveLength(1);
  }, 30_000);
});
