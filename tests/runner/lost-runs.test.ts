import { afterAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../../lib/db/client";
import { readEventsNow } from "../../lib/executions/events";
import { createRedis } from "../../lib/redis/connection";
import { requeueLostRuns } from "../../runner/queue/lost-runs";
import { registerUser } from "../support/api";
import { FakeDriver } from "../support/fake-driver";
import { QueueHarness } from "../support/queue-harness";

/**
 * Redis fsyncs once a second: a machine crash can lose a queued run's job
 * while PostgreSQL still says the run is queued. The sweep (one runner, every
 * minute) queues such runs again under their own id; a run whose job exists is
 * left alone, so sweeping twice, or from two runners, never queues it twice.
 */
const db = createDatabase(inject("databaseUrl"));
const redis = createRedis(inject("redisUrl"));
afterAll(async () => {
  await db.$disconnect();
  redis.disconnect();
});

describe("runs whose job Redis lost", () => {
  it("are queued again under the same id and run once; runs with a job are left alone", async () => {
    const user = await registerUser();
    const driver = new FakeDriver(() => ({ kind: "program", stdout: "ran\n", exitCode: 0 }));
    const harness = new QueueHarness(inject("redisUrl"), db, driver);
    try {
      const lost = await harness.add(user.id, "lost");
      const kept = await harness.add(user.id, "kept");
      // What a crash that took Redis' last second does: the row stays, the job is gone.
      await harness.queue.remove(lost);
      expect(await harness.queue.getJob(lost)).toBeUndefined();

      const deps = { db, redis, queue: harness.queue };
      expect(await requeueLostRuns(deps, 60_000, user.id)).toEqual([]); // both are younger than the threshold
      expect(await requeueLostRuns(deps, 0, user.id)).toEqual([lost]);
      expect(await requeueLostRuns(deps, 0, user.id)).toEqual([]); // its job exists again: not queued twice
      expect((await harness.queue.getJob(lost))?.id).toBe(lost);

      harness.startWorker(1);
      for (const id of [lost, kept]) {
        expect((await harness.waitForFinal(id)).status).toBe("succeeded");
        expect((await readEventsNow(redis, id, "0")).filter((e) => e.type === "result")).toHaveLength(1);
      }
      expect(driver.runs).toHaveLength(2);
    } finally {
      await harness.close();
    }
  });
});
