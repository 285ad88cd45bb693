import { afterAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../../lib/db/client";
import { FairShare, jobPriority } from "../../lib/executions/priority";
import { createRedis } from "../../lib/redis/connection";
import { registerUser } from "../support/api";
import { FakeDriver } from "../support/fake-driver";
import { QueueHarness, tagOf } from "../support/queue-harness";
import { eventually } from "../support/rooms";

/**
 * Attack: an account at its running cap drifting out of its own fairness
 * count. A runner takes a job (it leaves its account's count of waiting
 * runs), finds the account at its cap and defers the job: the job still
 * waits, but no longer counted, so the account's next run was placed as if
 * it had none waiting, in the first turn beside other accounts' first runs
 * and ahead of their second ones. A flooding account at its cap thus kept
 * every new run at the front of its class. A deferred run is counted again.
 */
const db = createDatabase(inject("databaseUrl"));
const redis = createRedis(inject("redisUrl"));
afterAll(async () => {
  await db.$disconnect();
  redis.disconnect();
});

describe("fairness count of an account at its running cap", () => {
  it("a deferred run still counts as waiting, so the account's next run is placed behind it", async () => {
    const busy = await registerUser();
    const driver = new FakeDriver((_, run) => ({ kind: "program", stdout: "ok\n", exitCode: 0, delayMs: tagOf(run) === "long" ? 600_000 : 10 }));
    const harness = new QueueHarness(inject("redisUrl"), db, driver, { maxRunningPerUser: 1 });
    try {
      const fair = new FairShare(redis, harness.queueName);
      const long = await harness.add(busy.id, "long");
      harness.startWorker(2);
      await eventually("the long run to start", () => driver.runs.some((r) => tagOf(r.run) === "long"), 60_000);
      const second = await harness.add(busy.id, "second");
      await eventually("the second run to be taken and deferred", async () => (await harness.queue.getJobState(second)) === "delayed", 60_000);
      expect(await fair.waiting(busy.id, "api")).toBe(1);
      const third = await harness.add(busy.id, "third");
      expect((await harness.queue.getJob(third))?.priority).toBe(jobPriority("api", 1));
      await harness.deps.running.get(long)?.kill("wall_time");
      for (const id of [second, third]) expect((await harness.waitForFinal(id)).status).toBe("succeeded");
      // Run, not waiting: out of the count again.
      expect(await fair.waiting(busy.id, "api")).toBe(0);
    } finally {
      await harness.close();
    }
  });
});
