import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../../lib/db/client";
import { readEventsNow } from "../../lib/executions/events";
import { DEFAULT_POLICY, resolveLimits } from "../../lib/executions/limits";
import { MAX_ATTEMPTS } from "../../lib/executions/queue";
import { createRedis } from "../../lib/redis/connection";
import type { ProcessDeps } from "../../runner/queue/process-execution";
import { Watchdog } from "../../runner/queue/watchdog";
import { createExecutionWorker } from "../../runner/queue/worker";
import { registerUser } from "../support/api";
import { language } from "../support/drivers";
import { FakeDriver, type FakeBehaviour } from "../support/fake-driver";

/**
 * The runner's watchdog against a sandbox gone wrong (a fake driver whose
 * container is never made, or whose run never ends and whose kill hangs),
 * with the real Redis, PostgreSQL and BullMQ: the run still ends, with one
 * result, and the runner's only slot is free for the next run.
 */
const db = createDatabase(inject("databaseUrl"));
const redis = createRedis(inject("redisUrl"));
const log = pino({ level: "silent" });
let userId: string;
beforeAll(async () => {
  userId = (await registerUser()).id;
});
afterAll(async () => {
  await db.$disconnect();
  redis.disconnect();
});

/** A worker with one slot, a 1 s wall limit and a 1.5 s grace; `script` says what each start does. */
async function setup(script: (start: number) => FakeBehaviour) {
  const queueName = `test-${randomBytes(6).toString("hex")}`;
  const driver = new FakeDriver(script);
  const deps: ProcessDeps = {
    db,
    redis,
    driver,
    languages: new Map([["python", language("python")]]),
    diskMb: 64,
    log,
    running: new Map(),
    stopping: false,
    watchdog: new Watchdog({ graceMs: 1500, log }),
  };
  const queue = new Queue(queueName, {
    connection: createRedis(inject("redisUrl")),
    defaultJobOptions: { attempts: MAX_ATTEMPTS, backoff: { type: "fixed", delay: 100 } },
  });
  const worker = createExecutionWorker(deps, { connection: createRedis(inject("redisUrl")), concurrency: 1, queueName });
  const enqueue = async () => {
    const limits = resolveLimits(DEFAULT_POLICY, {}, { wallTimeMs: 1000 });
    const row = await db.execution.create({
      data: {
        userId,
        language: "python",
        version: "3",
        files: { create: [{ position: 0, name: "main.py", content: Buffer.from("print(1)") }] },
        limits: { ...limits },
      },
    });
    await queue.add("run", { executionId: row.id }, { jobId: row.id });
    return row.id;
  };
  return { driver, deps, enqueue, close: () => worker.close(true) };
}

async function waitForFinal(id: string) {
  for (let i = 0; i < 600; i++) {
    const row = await db.execution.findUniqueOrThrow({ where: { id } });
    if (!["queued", "running"].includes(row.status)) return row;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the execution never finished");
}

const resultEvents = async (id: string) => (await readEventsNow(redis, id, "0")).filter((e) => e.type === "result");

describe("runner watchdog", () => {
  it("a started run that never ends and ignores its kill ends time_limit_exceeded with its output, and frees the slot", async () => {
    const t = await setup((n) => (n === 1 ? { kind: "hangs", started: true, stdout: "partial\n" } : { kind: "program", stdout: "next\n", exitCode: 0 }));
    const stuck = await t.enqueue();
    const next = await t.enqueue();
    const row = await waitForFinal(stuck);
    expect(row).toMatchObject({ status: "time_limit_exceeded", attempts: 1, signal: "SIGKILL" });
    expect(Buffer.from(row.stdout).toString()).toBe("partial\n");
    expect(t.driver.kills).toBeGreaterThan(0);
    // The worker's only slot served the next run.
    const served = await waitForFinal(next);
    expect(served.status).toBe("succeeded");
    expect(Buffer.from(served.stdout).toString()).toBe("next\n");
    // A late moment later, still one result.
    await new Promise((r) => setTimeout(r, 500));
    expect(await resultEvents(stuck)).toHaveLength(1);
    expect(t.deps.running.size).toBe(0);
    await t.close();
  }, 60_000);

  it("a run whose program never started ends internal_error with a plain reason, not retried", async () => {
    const t = await setup((n) => (n === 1 ? { kind: "hangs", started: false } : { kind: "program", stdout: "next\n", exitCode: 0 }));
    const stuck = await t.enqueue();
    const next = await t.enqueue();
    const row = await waitForFinal(stuck);
    expect(row.status).toBe("internal_error");
    expect(row.error).toMatch(/watchdog.*fault of the sandbox, not of the program/);
    expect(await waitForFinal(next)).toMatchObject({ status: "succeeded" });
    expect(t.driver.starts).toBe(2); // the stuck run once, not three times; then the next run
    expect(await resultEvents(stuck)).toHaveLength(1);
    await t.close();
  }, 60_000);

  it("a container that is never created: the run ends internal_error and the slot is free", async () => {
    const t = await setup((n) => (n === 1 ? { kind: "never_created" } : { kind: "program", stdout: "next\n", exitCode: 0 }));
    const stuck = await t.enqueue();
    const next = await t.enqueue();
    const row = await waitForFinal(stuck);
    expect(row.status).toBe("internal_error");
    expect(row.error).toContain("watchdog");
    expect(await waitForFinal(next)).toMatchObject({ status: "succeeded" });
    expect(t.driver.starts).toBe(2);
    expect(await resultEvents(stuck)).toHaveLength(1);
    await t.close();
  }, 60_000);

  it("work that ignores the abort altogether is given up after the settle time, with one result", async () => {
    const watchdog = new Watchdog({ graceMs: 200, settleMs: 300, log });
    const reasons: string[] = [];
    const guarded = watchdog.guard(
      { executionId: "x", budgetMs: watchdog.budgetMs(100, 0), giveUp: async (r) => reasons.push(r) },
      () => new Promise(() => undefined),
    );
    await expect(guarded).rejects.toMatchObject({ name: "UnrecoverableError" });
    expect(reasons).toHaveLength(1);
  });

  it("a run that ends in time is untouched", async () => {
    const watchdog = new Watchdog({ graceMs: 1000, log });
    let aborted = false;
    const value = await watchdog.guard({ executionId: "y", budgetMs: 1000, giveUp: async () => undefined }, async (signal) => {
      signal.addEventListener("abort", () => (aborted = true));
      return "done";
    });
    expect(value).toBe("done");
    await new Promise((r) => setTimeout(r, 1200));
    expect(aborted).toBe(false);
  });
});
