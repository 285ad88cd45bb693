import { Queue, type Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { discardDeadLetter, inspectDeadLetter, replayDeadLetter } from "../../lib/admin/dead-letters";
import { deadLetterReasonsKey } from "../../lib/admin/dead-letter-types";
import { createDatabase } from "../../lib/db/client";
import { readEventsNow } from "../../lib/executions/events";
import { MAX_ATTEMPTS } from "../../lib/executions/queue";
import { createRedis } from "../../lib/redis/connection";
import { createExecutionWorker } from "../../runner/queue/worker";
import { registerUser } from "../support/api";
import { FakeDriver, type FakeBehaviour } from "../support/fake-driver";
import { QueueHarness } from "../support/queue-harness";

/**
 * Dead letters with the real Redis, PostgreSQL and BullMQ and a scripted
 * driver: a run that fails every attempt, or stalls its runner twice, lands in
 * the dead letters with each attempt's reason while its owner sees
 * internal_error; a replay gives it a fresh attempt under the same id and
 * still one result; a discard forgets it.
 */
const db = createDatabase(inject("databaseUrl"));
const redis = createRedis(inject("redisUrl"));
const harnesses: QueueHarness[] = [];
let userId: string;
beforeAll(async () => {
  userId = (await registerUser()).id;
});
afterAll(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
  await db.$disconnect();
  redis.disconnect();
});

function harness(script: (attempt: number) => FakeBehaviour) {
  const driver = new FakeDriver(script);
  const h = new QueueHarness(inject("redisUrl"), db, driver);
  harnesses.push(h);
  return { h, driver };
}

async function deadLetterOf(id: string) {
  for (let i = 0; i < 300; i++) {
    const row = await db.deadLetter.findUnique({ where: { executionId: id } });
    if (row) return inspectDeadLetter(db, id);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no dead letter for ${id}`);
}

const resultEvents = async (id: string) => (await readEventsNow(redis, id, "0")).filter((e) => e.type === "result");

describe("dead letters", () => {
  it("a run failing every attempt lands there with each attempt's reason; its owner sees internal_error", async () => {
    const { h, driver } = harness((n) => ({ kind: "infrastructure_failure", message: `the OCI runtime failed (attempt ${n})` }));
    h.startWorker();
    const id = await h.add(userId);
    const row = await h.waitForFinal(id);
    expect(row).toMatchObject({ status: "internal_error", error: `The sandbox could not start or run the program (tried ${MAX_ATTEMPTS} times).` });
    const letter = await deadLetterOf(id);
    expect(letter).toMatchObject({ kind: "attempts_exhausted", reason: "the OCI runtime failed (attempt 3)", attempts: 3, owner: { id: userId } });
    expect(letter.history.map((a) => [a.kind, a.message])).toEqual([1, 2, 3].map((n) => ["sandbox", `the OCI runtime failed (attempt ${n})`]));
    expect(letter.job).toMatchObject({ name: "run", data: { executionId: id } });
    expect(driver.starts).toBe(MAX_ATTEMPTS);
    expect(await resultEvents(id)).toHaveLength(1);
  });

  it("a run that stalls its runner twice is a poison job: dead-lettered, not tried a third time", async () => {
    const { h, driver } = harness(() => ({ kind: "hangs", started: true }));
    const id = await h.add(userId);
    const workers: Worker[] = [];
    const start = () => {
      const w = createExecutionWorker(h.deps, {
        connection: createRedis(inject("redisUrl")),
        concurrency: 1,
        queueName: h.queueName,
        lockDurationMs: 1000,
        stalledIntervalMs: 300,
      });
      workers.push(w);
      return w;
    };
    // Each runner "dies" (stops renewing the lock, takes no more jobs) once the run started on it.
    for (const starts of [1, 2]) {
      const w = start();
      await expect.poll(() => driver.starts, { timeout: 30_000 }).toBe(starts);
      await w.close(true);
    }
    start(); // a healthy runner: it finds the job stalled twice and gives it up
    const row = await h.waitForFinal(id);
    expect(row).toMatchObject({ status: "internal_error", error: "The runner running this program stopped responding, 2 times; it could not be completed." });
    const letter = await deadLetterOf(id);
    expect(letter.kind).toBe("stalled_too_often");
    expect(letter.history.map((a) => a.kind)).toEqual(["stalled", "stalled", "stalled_too_often"]);
    expect(driver.starts).toBe(2);
    expect(await resultEvents(id)).toHaveLength(1);
    await Promise.all(workers.map((w) => w.close(true)));
  }, 90_000);

  it("a run whose row shows every attempt used is dead-lettered without running again", async () => {
    const { h, driver } = harness(() => ({ kind: "program", stdout: "never\n", exitCode: 0 }));
    const id = await h.add(userId);
    await db.execution.update({ where: { id }, data: { attempts: MAX_ATTEMPTS } });
    h.startWorker();
    expect(await h.waitForFinal(id)).toMatchObject({ status: "internal_error", error: `The run was tried ${MAX_ATTEMPTS} times and could not be completed.` });
    expect((await deadLetterOf(id)).kind).toBe("attempts_exhausted");
    expect(driver.starts).toBe(0);
  });

  it("a database that fails while the run is given up: tried again, the dead letter and internal_error still written", async () => {
    const seen = { failed: 0 };
    const driver = new FakeDriver(() => ({ kind: "infrastructure_failure", message: "no cgroup" }));
    // The database, except that the first two transactions after the last attempt (the give-up) fail.
    const flaky = new Proxy(db, {
      get(target, prop) {
        if (prop === "$transaction") {
          return (fn: never) => {
            if (driver.starts >= MAX_ATTEMPTS && seen.failed < 2) {
              seen.failed++;
              return Promise.reject(new Error("simulated: connection terminated"));
            }
            return target.$transaction(fn);
          };
        }
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const h = new QueueHarness(inject("redisUrl"), db, driver, { db: flaky as typeof db });
    harnesses.push(h);
    h.startWorker();
    const id = await h.add(userId);
    expect(await h.waitForFinal(id)).toMatchObject({ status: "internal_error" });
    expect((await deadLetterOf(id)).history).toHaveLength(MAX_ATTEMPTS);
    expect(seen.failed).toBe(2);
  });

  it("a replay is a fresh attempt under the same id, and the run still has one result", async () => {
    let healthy = false;
    const { h, driver } = harness(() =>
      healthy ? { kind: "program", stdout: "fixed\n", exitCode: 0 } : { kind: "infrastructure_failure", message: "no cgroup" },
    );
    h.startWorker();
    const id = await h.add(userId);
    await h.waitForFinal(id);
    await deadLetterOf(id);
    healthy = true;
    // Two administrators at once: one replay wins, the other is told it is gone.
    const deps = { db, redis, queue: h.queue };
    const outcomes = await Promise.allSettled([replayDeadLetter(deps, id, "alice"), replayDeadLetter(deps, id, "bob")]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
    expect(["dead_letter_not_found", "not_replayable"]).toContain(refused.reason.code);

    const row = await h.waitForFinal(id);
    expect(row).toMatchObject({ status: "succeeded", error: null, attempts: MAX_ATTEMPTS + 1, replays: 1 });
    expect(Buffer.from(row.stdout).toString()).toBe("fixed\n");
    expect(driver.starts).toBe(MAX_ATTEMPTS + 1);
    expect(await db.deadLetter.findUnique({ where: { executionId: id } })).toBeNull();
    // The live stream was reset at the replay: followers see one result, the replay's.
    const results = await resultEvents(id);
    expect(results).toHaveLength(1);
    expect(JSON.parse(results[0]!.data.toString())).toMatchObject({ status: "succeeded" });
    // The history keeps the replay, for the next dead letter if it fails again.
    const history = (await redis.lrange(deadLetterReasonsKey(id), 0, -1)).map((e) => JSON.parse(e));
    expect(history.at(-1)).toMatchObject({ kind: "replayed" });
    expect(history.at(-1).message).toMatch(/^replayed by (alice|bob)$/);
  });

  it("a replay the queue refuses puts the run and its dead letter back as they were (503)", async () => {
    const { h } = harness(() => ({ kind: "infrastructure_failure", message: "no cgroup" }));
    h.startWorker();
    const id = await h.add(userId);
    const before = await h.waitForFinal(id);
    const letter = await deadLetterOf(id);
    // A queue whose Redis connection is gone.
    const connection = createRedis(inject("redisUrl"), { enableOfflineQueue: false });
    const broken = new Queue(h.queueName, { connection });
    await broken.waitUntilReady();
    connection.disconnect();
    await expect(replayDeadLetter({ db, redis, queue: broken }, id, "alice")).rejects.toMatchObject({ status: 503, code: "queue_unavailable" });
    expect(await db.execution.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "internal_error", error: before.error });
    expect(await inspectDeadLetter(db, id)).toMatchObject({ kind: letter.kind, reason: letter.reason, history: letter.history });
  });

  it("a discard forgets the dead letter and its failed job; the internal_error stays the result", async () => {
    const { h } = harness(() => ({ kind: "infrastructure_failure", message: "no cgroup" }));
    h.startWorker();
    const id = await h.add(userId);
    await h.waitForFinal(id);
    await deadLetterOf(id);
    const deps = { db, redis, queue: h.queue };
    await discardDeadLetter(deps, id);
    expect(await db.deadLetter.findUnique({ where: { executionId: id } })).toBeNull();
    expect(await h.queue.getJob(id)).toBeUndefined();
    expect(await redis.exists(deadLetterReasonsKey(id))).toBe(0);
    expect(await db.execution.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "internal_error" });
    await expect(discardDeadLetter(deps, id)).rejects.toMatchObject({ status: 404, code: "dead_letter_not_found" });
    await expect(replayDeadLetter(deps, id, "alice")).rejects.toMatchObject({ status: 404, code: "dead_letter_not_found" });
  });
});
