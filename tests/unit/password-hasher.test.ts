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
    // Six clients, one request each.
    const results = Array.from({ length: 6 }, (_, i) =>
      hasher.limit(t.task, `client-${i}`).then(
        (v) => v,
        (e) => e,
      ),
    );
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

  it("one address gets at most half the slots and a quarter of the queue; others still get a slot at once", async () => {
    const hasher = new PasswordHasher(2, 8, 60_000);
    const t = gatedTasks();
    // One address's burst of 20 (attack-web F11: it used to take every slot and the whole queue).
    const burst = Array.from({ length: 20 }, () =>
      hasher.limit(t.task, "2001:db8:1:2::/64").then(
        (v) => v,
        (e) => e,
      ),
    );
    await tick();
    expect(t.running()).toBe(1);
    const refused = (await Promise.race([Promise.all(burst.slice(3)), tick().then(() => [])])) as Array<{ code?: string }>;
    expect(refused.map((e) => e.code)).toEqual(Array(17).fill("busy"));
    // Someone else is not made to wait behind the burst: the second slot is theirs straight away.
    const other = hasher.limit(t.task, "198.51.100.7");
    await tick();
    expect(t.running()).toBe(2);
    // When the burst's running one ends, its next waiter starts: still one at a time for that address.
    t.releases.shift()!();
    await tick();
    expect(t.running()).toBe(2);
    while (t.releases.length) {
      t.releases.shift()!();
      await tick();
    }
    expect(await other).toBe("done");
    expect(await Promise.all(burst.slice(0, 3))).toEqual(["done", "done", "done"]);
    expect(t.peak()).toBe(2);
  });

  it("a freed slot goes to a waiting address under its share before more of a busy address's requests", async () => {
    const hasher = new PasswordHasher(2, 8, 60_000);
    const t = gatedTasks();
    const order: string[] = [];
    const run = (key: string) => hasher.limit(() => (order.push(key), t.task()), key);
    const a = [run("a"), run("a"), run("a")];
    const b = [run("b"), run("b")];
    await tick();
    expect(order).toEqual(["a", "b"]);
    // b's first ends: b's own next is the first waiter b may run; a's waiters are over a's share.
    t.releases[1]!();
    t.releases.splice(1, 1);
    await tick();
    expect(order).toEqual(["a", "b", "b"]);
    while (t.releases.length) {
      t.releases.shift()!();
      await tick();
    }
    await Promise.all([...a, ...b]);
    expect(order.filter((k) => k === "a")).toHaveLength(3);
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
