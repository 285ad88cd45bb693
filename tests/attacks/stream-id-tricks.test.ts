import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createRedis } from "../../lib/redis/connection";
import { StreamReader } from "../../lib/redis/stream-reader";
import { api, registerUser } from "../support/api";

/**
 * Attack: a follower's Last-Event-ID in a form Redis accepts but the shared
 * stream reader (lib/redis/stream-reader.ts) cannot order. "+99999999999999"
 * is a far-future id to Redis and 0 to the reader's own comparison, so it
 * became the id the one blocking XREAD waited from for the whole key: every
 * other follower of that room (room events, a room run's output) was woken
 * only when its own wait ran out. "$" missed whatever arrived between two
 * shared reads. The reader now refuses any id that is not "ms" or "ms-seq",
 * and the event routes answer 400 invalid_request before opening a stream
 * (also to an id above 64 bits, which Redis refuses with an error: the
 * stream broke with a logged error instead).
 */
const admin = createRedis(inject("redisUrl"));
const readers: StreamReader[] = [];
const connections = [admin];
afterAll(() => {
  for (const reader of readers) reader.close();
  for (const c of connections) c.disconnect();
});

function newReader(): StreamReader {
  const redis = createRedis(inject("redisUrl"));
  connections.push(redis);
  // Ten-minute waits: a follower that is not woken by its own key's entry times the test out.
  const reader = new StreamReader(redis, { maxBlockMs: 600_000 });
  readers.push(reader);
  return reader;
}

describe("Last-Event-ID tricks against the shared stream reader", () => {
  for (const trick of ["+99999999999999", "$", " 5", "0000000000000000000000001"]) {
    it(`a follower waiting from ${JSON.stringify(trick)} is refused, and another follower of the same key still gets its entry`, async () => {
      const reader = newReader();
      const key = `sam:test:stream-id-tricks:${randomUUID()}`;
      const seen = await admin.xadd(key, "*", "n", "old");
      const honest = reader.read(key, seen!, 10, 600_000);
      await expect.poll(() => reader.waiting, { timeout: 10_000 }).toBe(1);
      const trickRead = reader.read(key, trick, 10, 600_000);
      await expect(trickRead).rejects.toThrow(/not a stream id/);
      await admin.xadd(key, "*", "n", "new");
      expect((await honest).map((e) => e.fields.n!.toString())).toEqual(["new"]);
    }, 60_000);
  }

  it("the event routes answer 400 invalid_request to a Last-Event-ID that is not an event id, and give the stream's place back", async () => {
    const user = await registerUser();
    const room = await api("POST", "/api/v1/rooms", { token: user.token, body: { name: "Ids", language: "python" } });
    expect(room.status).toBe(201);
    const run = await api("POST", "/api/v1/executions", { token: user.token, body: { language: "python", files: [{ name: "main.py", content: "print(1)" }] } });
    expect(run.status).toBe(202);
    // More refusals than the user's stream cap (20): a refusal that kept its place would end in 429 too_many_streams.
    for (let i = 0; i < 12; i++) {
      for (const path of [`/api/v1/rooms/${room.json.id}/events`, `/api/v1/executions/${run.json.id}/events`]) {
        const res = await api("GET", path, { token: user.token, headers: { "last-event-id": ["+99999999999999", "$", "99999999999999999999-0"][i % 3]! } });
        expect(res.status, path).toBe(400);
        expect(res.json.error.code).toBe("invalid_request");
        expect(res.json.error.message).toMatch(/Last-Event-ID/);
      }
    }
    const controller = new AbortController();
    const ok = await fetch(`${inject("webUrl")}/api/v1/rooms/${room.json.id}/events`, {
      headers: { authorization: `Bearer ${user.token}`, "last-event-id": "0-0" },
      signal: controller.signal,
    });
    expect(ok.status).toBe(200);
    controller.abort();
  });
});
