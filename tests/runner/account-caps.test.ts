import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../../lib/db/client";
import { readEventsNow } from "../../lib/executions/events";
import { OutputBudget } from "../../lib/executions/output-budget";
import { readFrames } from "../../lib/executions/output-frames";
import { EVENT_MAX_BYTES, eventsKey, EVENTS_MAX_ENTRIES, EVENTS_TTL_AFTER_RESULT_SECONDS } from "../../lib/executions/queue";
import { createRedis } from "../../lib/redis/connection";
import { registerUser } from "../support/api";
import { FakeDriver } from "../support/fake-driver";
import { QueueHarness, tagOf } from "../support/queue-harness";

/**
 * What one account's runs may hold in Redis, with the real queue, Redis and
 * PostgreSQL and a fake driver: the live stream of a run is capped and kept
 * only briefly after its result, the result event carries no output, an
 * account's output budget stops its streaming, and the runner starts at most
 * N of one account's runs at once while other accounts' runs go ahead.
 */
const db = createDatabase(inject("databaseUrl"));
const redis = createRedis(inject("redisUrl"));
afterAll(async () => {
  await db.$disconnect();
  redis.disconnect();
});

const MiB = 1024 * 1024;

describe("Redis stays bounded however much runs print", () => {
  let userId: string;
  beforeAll(async () => {
    userId = (await registerUser()).id;
  });

  it("after many 8 MiB runs each stream is capped, expires soon after the result, and the result event holds no output", async () => {
    const output = Buffer.alloc(8 * MiB, "x");
    const harness = new QueueHarness(inject("redisUrl"), db, new FakeDriver(() => ({ kind: "program", stdout: output, exitCode: 0 })));
    try {
      harness.startWorker(2);
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push(await harness.add(userId, "print('x' * 8 << 20)", { outputKb: 16384 }));
      for (const id of ids) {
        const row = await harness.waitForFinal(id);
        expect(row.status).toBe("succeeded");
        expect(row.stdout.length).toBe(8 * MiB); // PostgreSQL keeps all of it
      }
      // MAXLEN ~ trims whole nodes of 100 entries: a little over the cap at most.
      const bound = (EVENTS_MAX_ENTRIES + 100) * EVENT_MAX_BYTES * 1.1;
      for (const id of ids) {
        const key = eventsKey(id);
        expect(await redis.xlen(key)).toBeLessThanOrEqual(EVENTS_MAX_ENTRIES + 100);
        const ttl = await redis.ttl(key);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(EVENTS_TTL_AFTER_RESULT_SECONDS);
        const usage = Number(await redis.call("MEMORY", "USAGE", key, "SAMPLES", "0"));
        expect(usage).toBeLessThan(bound);
        const result = (await readEventsNow(redis, id, "0")).find((e) => e.type === "result")!;
        expect(result.data.length).toBeLessThan(2048);
        expect(JSON.parse(result.data.toString())).not.toHaveProperty("stdout");
      }
    } finally {
      await harness.close();
    }
  }, 180_000);
});

describe("the output budget", () => {
  it("once an account's runs have streamed their budget, the live stream says so and carries no more output; the result keeps it all", async () => {
    const userId = (await registerUser()).id;
    const budget = new OutputBudget(redis, { bytes: 64 * 1024, windowSeconds: 600 });
    const output = Buffer.alloc(200 * 1024, "y");
    const harness = new QueueHarness(inject("redisUrl"), db, new FakeDriver(() => ({ kind: "program", stdout: output, exitCode: 0 })), {
      outputBudget: budget,
    });
    try {
      harness.startWorker();
      const id = await harness.add(userId);
      const row = await harness.waitForFinal(id);
      expect(Buffer.from(row.stdout)).toEqual(output);
      const events = await readEventsNow(redis, id, "0");
      const streamed = events.filter((e) => e.type === "output").reduce((n, e) => n + [...readFrames(e.data)].reduce((m, f) => m + f.bytes.length, 0), 0);
      expect(streamed).toBeLessThanOrEqual(64 * 1024);
      const notice = events.find((e) => e.type === "notice");
      expect(JSON.parse(notice!.data.toString())).toMatchObject({ code: "output_budget_exhausted" });
      expect(await budget.exhaustedForSeconds(userId)).toBeGreaterThan(0);
      // Another account is not touched.
      expect(await budget.exhaustedForSeconds((await registerUser()).id)).toBe(0);
    } finally {
      await harness.close();
    }
  });
});

describe("runs running at once per account", () => {
  it("a second run of the same account waits while the first runs; another account's run does not", async () => {
    const [alice, bob] = [(await registerUser()).id, (await registerUser()).id];
    const driver = new FakeDriver((_n, run) => ({ kind: "program", stdout: tagOf(run), exitCode: 0, delayMs: tagOf(run) === "alice-1" ? 3000 : 0 }));
    const harness = new QueueHarness(inject("redisUrl"), db, driver, { maxRunningPerUser: 1 });
    try {
      const first = await harness.add(alice, "alice-1");
      const second = await harness.add(alice, "alice-2");
      const other = await harness.add(bob, "bob-1");
      harness.startWorker(3);
      for (const id of [first, second, other]) {
        const row = await harness.waitForFinal(id);
        expect(row.status).toBe("succeeded");
        // Waiting for a place is not an attempt.
        expect(row.attempts).toBe(1);
      }
      const run = (tag: string) => driver.runs.find((r) => tagOf(r.run) === tag)!;
      expect(driver.runs).toHaveLength(3);
      // Alice's runs never overlapped (either may be claimed first: the worker takes jobs in
      // parallel); Bob's started while Alice's long one was still running.
      const [earlier, later] = [run("alice-1"), run("alice-2")].sort((a, b) => a.startedAt - b.startedAt);
      expect(later!.startedAt).toBeGreaterThanOrEqual(earlier!.endedAt!);
      expect(run("bob-1").startedAt).toBeLessThan(run("alice-1").endedAt!);
    } finally {
      await harness.close();
    }
  }, 60_000);
});
