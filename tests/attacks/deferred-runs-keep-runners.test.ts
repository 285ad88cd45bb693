import { afterAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../../lib/db/client";
import { createRedis } from "../../lib/redis/connection";
import { RunnerActivity } from "../../runner/pool-member";
import { createExecutionWorker } from "../../runner/queue/worker";
import { registerUser } from "../support/api";
import { FakeDriver } from "../support/fake-driver";
import { QueueHarness, tagOf } from "../support/queue-harness";
import { eventually } from "../support/rooms";

/**
 * Attack: one account keeps every runner the autoscaler added from ever being
 * drained. The autoscaler drains only runners idle for SAM_AUTOSCALE_IDLE_MS
 * (runner/pool-member.ts reports it). An account at its running cap with more
 * runs queued has them taken, found busy and put back every second
 * (runner/queue/worker.ts), each taking counted as a job: every runner that
 * took one was "busy" again, so after any scale-up the machine stayed at
 * SAM_RUNNERS_MAX for as long as the account kept runs queued. A deferral is
 * not work: idle time runs from the end of the last job that ran.
 */
const db = createDatabase(inject("databaseUrl"));
afterAll(async () => {
  await db.$disconnect();
});

describe("runs deferred at their account's cap", () => {
  it("do not reset an idle runner's idle time", async () => {
    const busy = await registerUser();
    const driver = new FakeDriver((_, run) => ({ kind: "program", stdout: "ok\n", exitCode: 0, delayMs: tagOf(run) === "long" ? 600_000 : 10 }));
    const harness = new QueueHarness(inject("redisUrl"), db, driver, { maxRunningPerUser: 1 });
    const connection = createRedis(inject("redisUrl"));
    try {
      // The account's one running run, on a runner of its own.
      const long = await harness.add(busy.id, "long");
      harness.startWorker(1);
      await eventually("the long run to start", () => driver.runs.some((r) => tagOf(r.run) === "long"), 60_000);

      // An idle runner the autoscaler watches; the account's next run is taken by it and deferred, again and again.
      const activity = new RunnerActivity();
      const idleFrom = Date.now();
      const deferrals: number[] = [];
      const watched = createExecutionWorker(harness.deps, {
        connection,
        concurrency: 1,
        queueName: harness.queueName,
        onJobStart: () => {
          deferrals.push(Date.now());
          return activity.jobStarted();
        },
      });
      try {
        await harness.add(busy.id, "second");
        await eventually("the second run to be taken and deferred three times", () => deferrals.length >= 3, 60_000);
        await eventually("the runner to be between two deferrals", () => activity.state().active === 0, 10_000);
        // Idle since before it took any of them: it ran nothing.
        const idleSince = Date.now() - activity.state().idleMs;
        expect(idleSince).toBeLessThanOrEqual(deferrals[0]!);
        expect(idleSince).toBeGreaterThanOrEqual(idleFrom - 1000);
        expect(driver.runs.filter((r) => tagOf(r.run) === "second")).toHaveLength(0);
      } finally {
        await watched.close(true);
      }
      await harness.deps.running.get(long)?.kill("wall_time");
    } finally {
      await harness.close();
      connection.disconnect();
    }
  });
});
