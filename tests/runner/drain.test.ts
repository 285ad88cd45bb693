import pino from "pino";
import type { Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../../lib/db/client";
import { readEventsNow } from "../../lib/executions/events";
import { createRedis } from "../../lib/redis/connection";
import { drainBeforeStop, RunnerActivity } from "../../runner/pool-member";
import { createExecutionWorker } from "../../runner/queue/worker";
import { registerUser } from "../support/api";
import { FakeDriver } from "../support/fake-driver";
import { QueueHarness } from "../support/queue-harness";

/**
 * A runner that is stopped while a run goes on (a scale-down, SIGTERM with
 * SAM_RUNNER_DRAIN_MS): it takes no new job, the run in progress finishes with
 * its one result, and the job it never took stays queued for another runner.
 * Real Redis, PostgreSQL and BullMQ; a fake driver whose run takes a while.
 */
const db = createDatabase(inject("databaseUrl"));
const redis = createRedis(inject("redisUrl"));
const log = pino({ level: "silent" });
let userId: string;
const harnesses: QueueHarness[] = [];
const workers: Worker[] = [];
beforeAll(async () => {
  userId = (await registerUser()).id;
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close(true)));
  await Promise.all(harnesses.map((h) => h.close()));
  await db.$disconnect();
  redis.disconnect();
});

function setup(delayMs: number) {
  const driver = new FakeDriver(() => ({ kind: "program", stdout: "done\n", exitCode: 0, delayMs }));
  const harness = new QueueHarness(inject("redisUrl"), db, driver);
  harnesses.push(harness);
  const activity = new RunnerActivity();
  const worker = createExecutionWorker(harness.deps, {
    connection: createRedis(inject("redisUrl")),
    concurrency: 1,
    queueName: harness.queueName,
    onJobStart: activity.jobStarted,
  });
  workers.push(worker);
  return { driver, harness, activity, worker };
}

const results = async (id: string) => (await readEventsNow(redis, id, "0")).filter((e) => e.type === "result");

describe("draining a runner", () => {
  it("lets the run in progress finish, takes no new job, and leaves the queued one to another runner", async () => {
    const { driver, harness, activity, worker } = setup(1500);
    const first = await harness.add(userId, "first");
    await expect.poll(() => activity.state().active, { timeout: 30_000 }).toBe(1);
    const second = await harness.add(userId, "second");

    await drainBeforeStop(worker, activity, 60_000, log);
    expect(activity.state()).toMatchObject({ active: 0, draining: true });
    expect(await harness.waitForFinal(first)).toMatchObject({ status: "succeeded" });
    expect(await results(first)).toHaveLength(1);
    // The drained worker never started the second run; it waits in the queue.
    expect(driver.runs).toHaveLength(1);
    expect(["waiting", "prioritized"]).toContain(await harness.queue.getJobState(second));

    // Another runner takes it: one result.
    harness.startWorker();
    expect(await harness.waitForFinal(second)).toMatchObject({ status: "succeeded" });
    expect(await results(second)).toHaveLength(1);
  });

  it("returns while a run still goes on once its time is up, and does nothing with 0", async () => {
    const { harness, activity, worker } = setup(20_000);
    await drainBeforeStop(worker, activity, 0, log);
    expect(activity.state().draining).toBe(false);
    await harness.add(userId, "long");
    await expect.poll(() => activity.state().active, { timeout: 30_000 }).toBe(1);
    await drainBeforeStop(worker, activity, 300, log);
    // Returned while the run (20 s long) still goes on: the caller then ends it and BullMQ retries it elsewhere.
    expect(activity.state()).toMatchObject({ active: 1, draining: true });
  });
});
