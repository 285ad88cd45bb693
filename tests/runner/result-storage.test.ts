import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase, type Database } from "../../lib/db/client";
import { readEventsNow } from "../../lib/executions/events";
import { createRedis } from "../../lib/redis/connection";
import { STORE_FAILED } from "../../runner/queue/process-execution";
import { registerUser } from "../support/api";
import { FakeDriver } from "../support/fake-driver";
import { QueueHarness } from "../support/queue-harness";

/**
 * The program has run once its result is being stored: a database that fails
 * then must never make the queue run the program again (once, a thrown
 * database error retried the whole job, three runs in all). The write is
 * tried again; when it never succeeds the run ends as internal_error saying
 * so in plain words.
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

/** The database, except that writing a result (an update that sets stdout, through the client or in SQL) fails the first `failures` times. */
function failingResultWrites(real: Database, failures: number) {
  const seen = { tries: 0 };
  const execution = new Proxy(real.execution, {
    get(target, prop) {
      if (prop !== "updateMany") {
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      }
      return async (args: { data?: { stdout?: unknown } }) => {
        if (args.data?.stdout !== undefined && seen.tries++ < failures) throw new Error('simulated: invalid byte sequence for encoding "UTF8": 0x00');
        return target.updateMany(args as never);
      };
    },
  });
  // The runner stores a result with one UPDATE ... RETURNING (process-execution.ts storeResult).
  const queryRaw = async (strings: TemplateStringsArray, ...values: unknown[]) => {
    if (strings.join("?").includes('"stdout" =') && seen.tries++ < failures) throw new Error('simulated: invalid byte sequence for encoding "UTF8": 0x00');
    return real.$queryRaw(strings, ...values);
  };
  const database = new Proxy(real, {
    get(target, prop) {
      if (prop === "execution") return execution;
      if (prop === "$queryRaw") return queryRaw;
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { database: database as Database, seen };
}

describe("storing a result", () => {
  it("a database that keeps failing: the program ran exactly once, and the run ends internal_error in plain words", async () => {
    const driver = new FakeDriver(() => ({ kind: "program", stdout: Buffer.from([0x61, 0x00, 0x62]), exitCode: 0 }));
    const { database, seen } = failingResultWrites(db, Infinity);
    const harness = new QueueHarness(inject("redisUrl"), db, driver, { db: database });
    try {
      const id = await harness.add(userId);
      harness.startWorker();
      const row = await harness.waitForFinal(id);
      expect(row.status).toBe("internal_error");
      expect(row.error).toBe(STORE_FAILED);
      expect(row.error).not.toMatch(/UTF8|0x00|simulated/);
      // Give BullMQ the time it would take to retry, then count the runs.
      await new Promise((r) => setTimeout(r, 1500));
      expect(driver.starts).toBe(1);
      expect(seen.tries).toBeGreaterThan(1);
      const results = (await readEventsNow(redis, id, "0")).filter((e) => e.type === "result");
      expect(results).toHaveLength(1);
      expect(JSON.parse(results[0]!.data.toString())).toMatchObject({ status: "internal_error", error: STORE_FAILED });
    } finally {
      await harness.close();
    }
  }, 60_000);

  it("a database that fails for a moment: the write is tried again and the result kept, the program ran once", async () => {
    const driver = new FakeDriver(() => ({ kind: "program", stdout: Buffer.from([0x00, 0xff, 0x0a]), exitCode: 0 }));
    const { database, seen } = failingResultWrites(db, 2);
    const harness = new QueueHarness(inject("redisUrl"), db, driver, { db: database });
    try {
      const id = await harness.add(userId);
      harness.startWorker();
      const row = await harness.waitForFinal(id);
      expect(row.status).toBe("succeeded");
      expect(Buffer.from(row.stdout)).toEqual(Buffer.from([0x00, 0xff, 0x0a]));
      expect(row.attempts).toBe(1);
      expect(seen.tries).toBe(3);
      expect(driver.starts).toBe(1);
    } finally {
      await harness.close();
    }
  }, 60_000);
});
