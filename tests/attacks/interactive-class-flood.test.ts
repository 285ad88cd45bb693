import { afterAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../../lib/db/client";
import { registerUser } from "../support/api";
import { FakeDriver } from "../support/fake-driver";
import { QueueHarness, tagOf } from "../support/queue-harness";

/**
 * Found by the fresh-eyes attack on the work classes: any member who may run
 * in a room can start room runs (a script with an API token too), and room
 * runs are interactive, the top class served strictly first. One account
 * queuing many room runs kept every api and batch run waiting. Now only an
 * account's first waiting room run is in the interactive band; the others
 * wait in the api band at their place, so another account's api run goes
 * after that one room run, not after all of them.
 */
const db = createDatabase(inject("databaseUrl"));
afterAll(async () => {
  await db.$disconnect();
});

describe("an account flooding the interactive class", () => {
  it("gets one room run in the top band; another account's api run goes next, a batch run after all", async () => {
    const [flooder, caller, bulk] = await Promise.all([registerUser(), registerUser(), registerUser()]);
    const driver = new FakeDriver(() => ({ kind: "program", stdout: "ok\n", exitCode: 0 }));
    const harness = new QueueHarness(inject("redisUrl"), db, driver);
    try {
      const ids: string[] = [];
      ids.push(await harness.add(bulk.id, "batch", {}, "batch"));
      for (let i = 0; i < 10; i++) ids.push(await harness.add(flooder.id, `room-${i}`, {}, "interactive"));
      ids.push(await harness.add(caller.id, "api", {}, "api"));
      harness.startWorker(1);
      for (const id of ids) expect((await harness.waitForFinal(id)).status).toBe("succeeded");
      expect(driver.runs.map((r) => tagOf(r.run))).toEqual(["room-0", "api", ...Array.from({ length: 9 }, (_, i) => `room-${i + 1}`), "batch"]);
    } finally {
      await harness.close();
    }
  });
});
