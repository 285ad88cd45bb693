import { afterAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../../lib/db/client";
import { classOfPriority, FairShare, jobPriority, workClassOf } from "../../lib/executions/priority";
import { CLASS_PRIORITY_BASE, PRIORITY_BAND, WORK_CLASSES, type WorkClass } from "../../lib/executions/queue";
import { createRedis } from "../../lib/redis/connection";
import { registerUser } from "../support/api";
import { FakeDriver } from "../support/fake-driver";
import { QueueHarness, tagOf } from "../support/queue-harness";
import { eventually } from "../support/rooms";

/**
 * Who runs first (lib/executions/priority.ts), with the real queue, Redis and
 * PostgreSQL and a fake driver that records the order runs start in. Runs are
 * queued before a worker starts (or while one runner slot is busy), so the
 * order is the queue's decision, never a matter of timing.
 */
const db = createDatabase(inject("databaseUrl"));
const redis = createRedis(inject("redisUrl"));
afterAll(async () => {
  await db.$disconnect();
  redis.disconnect();
});

const started = (driver: FakeDriver) => driver.runs.map((r) => tagOf(r.run));
const quick = () => new FakeDriver(() => ({ kind: "program", stdout: "ok\n", exitCode: 0 }));

describe("priorities, as numbers", () => {
  it("each class has its own band, highest class lowest numbers; an account's place stays inside its class's band", () => {
    expect(WORK_CLASSES).toEqual(["interactive", "api", "batch"]);
    expect(jobPriority("interactive", 0)).toBe(1);
    // One waiting room run per account in the top band; its others wait in the api band at their place.
    expect(jobPriority("interactive", 1)).toBe(CLASS_PRIORITY_BASE.api + 1);
    expect(jobPriority("interactive", 1)).toBeGreaterThan(jobPriority("api", 0));
    expect(jobPriority("api", 10 ** 9)).toBeLessThan(jobPriority("batch", 0));
    expect(jobPriority("batch", 10 ** 9)).toBeLessThan(2 ** 21); // BullMQ's largest priority
    expect(jobPriority("api", 3)).toBe(CLASS_PRIORITY_BASE.api + 3);
    expect(jobPriority("batch", -1)).toBe(CLASS_PRIORITY_BASE.batch);
    for (const c of WORK_CLASSES) {
      expect(classOfPriority(jobPriority(c, 0))).toBe(c);
      // A room run beyond its account's first waiting one is served as an api run.
      expect(classOfPriority(jobPriority(c, PRIORITY_BAND * 2))).toBe(c === "interactive" ? "api" : c);
    }
    expect(classOfPriority(0)).toBeUndefined();
    expect(workClassOf({})).toBe("api");
    expect(workClassOf({ workClass: "bogus" as WorkClass })).toBe("api");
    expect(workClassOf({ workClass: "batch" })).toBe("batch");
  });
});

describe("classes", () => {
  it("an interactive run queued after 20 batch and 5 api runs starts first, then the api runs, then the batch runs", async () => {
    const [flooder, caller, watcher] = await Promise.all([registerUser(), registerUser(), registerUser()]);
    const driver = quick();
    const harness = new QueueHarness(inject("redisUrl"), db, driver);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) ids.push(await harness.add(flooder.id, `batch-${i}`, {}, "batch"));
      for (let i = 0; i < 5; i++) ids.push(await harness.add(caller.id, `api-${i}`, {}, "api"));
      ids.push(await harness.add(watcher.id, "interactive", {}, "interactive"));
      harness.startWorker(1);
      for (const id of ids) expect((await harness.waitForFinal(id)).status).toBe("succeeded");
      expect(started(driver)).toEqual([
        "interactive",
        ...Array.from({ length: 5 }, (_, i) => `api-${i}`),
        ...Array.from({ length: 20 }, (_, i) => `batch-${i}`),
      ]);
    } finally {
      await harness.close();
    }
  });
});

describe("fairness within a class", () => {
  it("with 30 runs of one account queued, another account's single run starts second, not 31st", async () => {
    const [a, b] = await Promise.all([registerUser(), registerUser()]);
    const driver = quick();
    const harness = new QueueHarness(inject("redisUrl"), db, driver);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) ids.push(await harness.add(a.id, `a-${i}`));
      ids.push(await harness.add(b.id, "b"));
      const fair = new FairShare(redis, harness.queueName);
      expect(await fair.waiting(a.id, "api")).toBe(30);
      harness.startWorker(1);
      for (const id of ids) expect((await harness.waitForFinal(id)).status).toBe("succeeded");
      // A's first run was queued first at the same place as B's: FIFO between them, then B before A's 2nd.
      expect(started(driver)).toEqual(["a-0", "b", ...Array.from({ length: 29 }, (_, i) => `a-${i + 1}`)]);
      // Every run left the count when a runner took it: nothing drifts.
      expect(await fair.waiting(a.id, "api")).toBe(0);
      expect(await fair.waiting(b.id, "api")).toBe(0);
    } finally {
      await harness.close();
    }
  });

  it("while one account's 30 runs are being served, another account's run queued meanwhile starts before most of them", async () => {
    const [a, b] = await Promise.all([registerUser(), registerUser()]);
    const driver = new FakeDriver(() => ({ kind: "program", stdout: "ok\n", exitCode: 0, delayMs: 50 }));
    const harness = new QueueHarness(inject("redisUrl"), db, driver);
    try {
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) ids.push(await harness.add(a.id, `a-${i}`));
      harness.startWorker(1);
      await eventually("a few of A's runs to start", () => driver.runs.length >= 3, 60_000);
      ids.push(await harness.add(b.id, "b"));
      for (const id of ids) expect((await harness.waitForFinal(id)).status).toBe("succeeded");
      const order = started(driver);
      const afterB = order.length - 1 - order.indexOf("b");
      // B's run waited for at most the run in progress and the one being taken, never for A's backlog.
      const startedBeforeB = order.indexOf("b");
      expect(afterB).toBeGreaterThan(15);
      expect(order.slice(0, startedBeforeB).every((t) => t.startsWith("a-"))).toBe(true);
      expect(order.filter((t) => t.startsWith("a-"))).toEqual(Array.from({ length: 30 }, (_, i) => `a-${i}`));
    } finally {
      await harness.close();
    }
  });

  it("a cancelled run leaves its account's count, so the account's next run is not put behind it", async () => {
    const user = await registerUser();
    const harness = new QueueHarness(inject("redisUrl"), db, quick());
    try {
      const fair = new FairShare(redis, harness.queueName);
      const first = await harness.add(user.id, "first", {}, "batch");
      expect(await fair.waiting(user.id, "batch")).toBe(1);
      await harness.queue.remove(first);
      await fair.leave(user.id, first);
      await fair.leave(user.id, first); // idempotent
      expect(await fair.waiting(user.id, "batch")).toBe(0);
      const next = await harness.add(user.id, "next", {}, "batch");
      expect((await harness.queue.getJob(next))?.priority).toBe(jobPriority("batch", 0));
    } finally {
      await harness.close();
    }
  });
});

describe("deferral of an account at its running cap", () => {
  it("a deferred interactive run keeps its priority and still goes before the batch runs queued before it", async () => {
    const [busy, bulk] = await Promise.all([registerUser(), registerUser()]);
    // The account's first run holds its only running place until the test ends it; batch runs take 500 ms.
    const driver = new FakeDriver((_, run) => ({ kind: "program", stdout: "ok\n", exitCode: 0, delayMs: tagOf(run) === "long" ? 600_000 : 500 }));
    const harness = new QueueHarness(inject("redisUrl"), db, driver, { maxRunningPerUser: 1 });
    try {
      const long = await harness.add(busy.id, "long", {}, "interactive");
      harness.startWorker(2);
      await eventually("the long run to start", () => started(driver).includes("long"), 60_000);
      const batch: string[] = [];
      for (let i = 0; i < 40; i++) batch.push(await harness.add(bulk.id, `batch-${i}`, {}, "batch"));
      const second = await harness.add(busy.id, "second", {}, "interactive");
      // Taken at once (highest class), refused (its account is at its cap) and moved to the delayed set.
      await eventually("the interactive run to be deferred", async () => (await harness.queue.getJobState(second)) === "delayed", 60_000);
      expect((await harness.queue.getJob(second))?.priority).toBe(jobPriority("interactive", 0));
      await eventually("a few batch runs to start meanwhile", () => started(driver).filter((t) => t.startsWith("batch-")).length >= 3, 60_000);
      expect(started(driver)).not.toContain("second");
      // End the long run: the deferred run comes back among the prioritized jobs, ahead of every batch run.
      await harness.deps.running.get(long)?.kill("wall_time");
      expect((await harness.waitForFinal(second)).status).toBe("succeeded");
      for (const id of batch) await harness.waitForFinal(id);
      const order = started(driver);
      const batchAfterSecond = order.slice(order.indexOf("second")).filter((t) => t.startsWith("batch-")).length;
      // Only the batch runs taken while it was still delayed (about two a second) go first.
      expect(batchAfterSecond).toBeGreaterThan(20);
      expect((await harness.queue.getJob(second))?.priority).toBe(jobPriority("interactive", 0));
    } finally {
      await harness.close();
    }
  });
});
