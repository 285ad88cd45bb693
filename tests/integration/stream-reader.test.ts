import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { Redis } from "ioredis";
import { createRedis } from "../../lib/redis/connection";
import { StreamReader } from "../../lib/redis/stream-reader";

/**
 * The process's one stream reader (lib/redis/stream-reader.ts) against a real
 * Redis: every follower waits on one blocking connection, a follower that
 * joins while that connection is blocked is still woken by its own key, and
 * a follower that leaves is forgotten.
 */
const admin = createRedis(inject("redisUrl"));
const opened: Array<{ reader: StreamReader; redis: Redis }> = [];
afterAll(() => {
  for (const { reader, redis } of opened) {
    reader.close();
    redis.disconnect();
  }
  admin.disconnect();
});

/** A reader over a connection of its own, named so CLIENT LIST can count its connections (the blocking one is a duplicate: same name). */
function newReader(opts: { maxBlockMs?: number } = {}) {
  const name = `stream-reader-test-${randomUUID().slice(0, 8)}`;
  const redis = createRedis(inject("redisUrl"), { connectionName: name });
  const reader = new StreamReader(redis, opts);
  opened.push({ reader, redis });
  return { reader, redis, name };
}

/** The Redis connections named `name`, each as its CLIENT LIST fields. */
async function connections(name: string): Promise<Array<Record<string, string>>> {
  const list = (await admin.client("LIST")) as string;
  return list
    .split("\n")
    .filter(Boolean)
    .map((line) => Object.fromEntries(line.split(" ").map((pair) => pair.split("=", 2) as [string, string])))
    .filter((c) => c.name === name);
}

const key = () => `sam:test:stream-reader:${randomUUID()}`;

describe("one stream reader per process", () => {
  it("fifty followers of ten streams wait on one blocking connection, and each gets its own stream's entries", async () => {
    const { reader, name } = newReader();
    const keys = Array.from({ length: 10 }, key);
    const reads = Array.from({ length: 50 }, (_, i) => reader.read(keys[i % 10]!, "0", 10, 60_000));
    await expect.poll(() => reader.waiting, { timeout: 10_000 }).toBe(50);
    // The shared command connection and the one blocking connection: not one per follower.
    await expect.poll(async () => (await connections(name)).length, { timeout: 10_000 }).toBe(2);
    for (const [i, k] of keys.entries()) await admin.xadd(k, "*", "n", String(i));
    const got = await Promise.all(reads);
    got.forEach((entries, i) => {
      expect(entries).toHaveLength(1);
      expect(entries[0]!.fields.n!.toString()).toBe(String(i % 10));
    });
    expect(reader.waiting).toBe(0);
  });

  it("a follower that joins while the connection is blocked is woken by its own stream, not after the blocking read ends", async () => {
    // Ten minutes: were the new key to join only when the blocked read ends, this test would time out.
    const { reader, name } = newReader({ maxBlockMs: 600_000 });
    const [first, second] = [key(), key()];
    const firstRead = reader.read(first, "0", 10, 600_000);
    await expect.poll(async () => (await connections(name)).some((c) => c.cmd === "xread" && c.flags?.includes("b")), { timeout: 10_000 }).toBe(true);
    const secondRead = reader.read(second, "0", 10, 600_000);
    await expect.poll(() => reader.waiting, { timeout: 10_000 }).toBe(2);
    await admin.xadd(second, "*", "n", "2");
    expect((await secondRead).map((e) => e.fields.n!.toString())).toEqual(["2"]);
    await admin.xadd(first, "*", "n", "1");
    expect((await firstRead).map((e) => e.fields.n!.toString())).toEqual(["1"]);
  }, 60_000);

  it("a follower reads what is already there without waiting, at most `count` entries at a time, from where it left off", async () => {
    const { reader } = newReader();
    const k = key();
    for (let i = 0; i < 30; i++) await admin.xadd(k, "*", "n", String(i));
    const firstFive = await reader.read(k, "0", 5, 600_000);
    expect(firstFive.map((e) => e.fields.n!.toString())).toEqual(["0", "1", "2", "3", "4"]);
    const next = await reader.read(k, firstFive.at(-1)!.id, 5, 600_000);
    expect(next.map((e) => e.fields.n!.toString())).toEqual(["5", "6", "7", "8", "9"]);
  });

  it("a follower whose client went away stops waiting and is forgotten", async () => {
    const { reader } = newReader();
    const gone = new AbortController();
    const read = reader.read(key(), "0", 10, 600_000, gone.signal);
    await expect.poll(() => reader.waiting, { timeout: 10_000 }).toBe(1);
    gone.abort();
    expect(await read).toEqual([]);
    expect(reader.waiting).toBe(0);
  });

  it("a followed key that turns out not to be a stream fails its own follower only; the others are still woken", async () => {
    const { reader } = newReader({ maxBlockMs: 600_000 });
    const [good, bad, other] = [key(), key(), key()];
    const goodRead = reader.read(good, "0", 10, 600_000);
    const badRead = reader.read(bad, "0", 10, 600_000);
    await expect.poll(() => reader.waiting, { timeout: 10_000 }).toBe(2);
    await admin.rpush(bad, "not a stream");
    // A new follower makes the shared read start again, now over a key Redis refuses (WRONGTYPE).
    const otherRead = reader.read(other, "0", 10, 600_000);
    await expect(badRead).rejects.toThrow(/WRONGTYPE/);
    await admin.xadd(good, "*", "n", "good");
    expect((await goodRead).map((e) => e.fields.n!.toString())).toEqual(["good"]);
    await admin.xadd(other, "*", "n", "other");
    expect((await otherRead).map((e) => e.fields.n!.toString())).toEqual(["other"]);
  }, 60_000);

  it("a follower on a key with entries it already has waits for the next one", async () => {
    const { reader } = newReader();
    const k = key();
    const old = await admin.xadd(k, "*", "n", "old");
    const live = reader.read(k, old!, 10, 600_000);
    await expect.poll(() => reader.waiting, { timeout: 10_000 }).toBe(1);
    await admin.xadd(k, "*", "n", "new");
    expect((await live).map((e) => e.fields.n!.toString())).toEqual(["new"]);
  });
});
