import { describe, expect, it } from "vitest";
import { PasswordHasher } from "../../lib/accounts/password-hasher";

/** A task that runs until released, recording how many run at once. */
function gatedTasks() {
  let running = 0;
  let peak = 0;
  const releases: Array<() => void> = [];
  const task = () =>
    new Promise<string>((resolve) => {
      running++;
      peak = Math.max(peak, running);
      releases.push(() => {
        running--;
        resolve("done");
      });
    });
  return { task, releases, peak: () => peak, running: () => running };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

describe("PasswordHasher's slots", () => {
  it("runs at most `concurrency` at once, queues a few, and refuses the rest with 503 busy", async () => {
    const hasher = new PasswordHasher(2, 2, 60_000);
    const t = gatedTasks();
    const results = Array.from({ length: 6 }, () => hasher.limit(t.task).then((v) => v, (e) => e));
    await tick();
    expect(t.running()).toBe(2);
    const refused = await Promise.race([Promise.all([results[4], results[5]]), tick().then(() => undefined)]);
    expect(refused?.map((e: any) => [e.status, e.code, e.headers["retry-after"]])).toEqual([
      [503, "busy", "2"],
      [503, "busy", "2"],
    ]);
    // Each release starts one that waited; never more than two at once.
    while (t.releases.length) {
      t.releases.shift()!();
      await tick();
    }
    expect(await Promise.all(results.slice(0, 4))).toEqual(["done", "done", "done", "done"]);
    expect(t.peak()).toBe(2);
  });

  it("gives up on a wait that lasts too long", async () => {
    const hasher = new PasswordHasher(1, 5, 50);
    const t = gatedTasks();
    const first = hasher.limit(t.task);
    await tick();
    await expect(hasher.limit(t.task)).rejects.toMatchObject({ status: 503, code: "busy" });
    t.releases.shift()!();
    await expect(first).resolves.toBe("done");
    // The slot is free again.
    const again = hasher.limit(async () => "again");
    await expect(again).resolves.toBe("again");
  });

  it("hashes and verifies with argon2id", async () => {
    const hasher = new PasswordHasher(1);
    const hash = await hasher.hash("correct horse battery");
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(await hasher.verify(hash, "correct horse battery")).toBe(true);
    expect(await hasher.verify(hash, "wrong")).toBe(false);
    expect(await hasher.verify("not a hash", "x")).toBe(false);
  });
});
