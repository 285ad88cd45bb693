import { afterAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../../lib/db/client";
import { appendEvent } from "../../lib/executions/events";
import { createRedis } from "../../lib/redis/connection";
import { api, webUrl } from "../support/api";
import { roomWithMembers, type TestUser } from "../support/rooms";
import { signIn } from "../support/sessions";

/**
 * Attack (attack-web F13): keep watching a room's run after losing access.
 * The execution's event stream checked access once, when it opened: a member
 * removed from the room (or whose token was revoked, or who signed out) went
 * on receiving the run's output for as long as it ran. Streams now check
 * again every few seconds and end with `access_revoked` (runs) or `removed`
 * (the room's events).
 *
 * The run is a running execution row whose live events this test writes to
 * Redis, as the runner would: what is under attack is the web's stream.
 */
const db = createDatabase(inject("databaseUrl"));
const redis = createRedis(inject("redisUrl"));
afterAll(async () => {
  await db.$disconnect();
  redis.disconnect();
});

interface Watcher {
  events: Array<{ event: string; data: string }>;
  ended: Promise<void>;
  isEnded(): boolean;
  stop(): void;
}

/** Opens an event stream and records its events until it ends. */
async function watch(path: string, auth: { token?: string; cookie?: string }): Promise<Watcher> {
  const controller = new AbortController();
  const headers: Record<string, string> = auth.token ? { authorization: `Bearer ${auth.token}` } : { cookie: auth.cookie! };
  const res = await fetch(`${webUrl()}${path}`, { headers, signal: controller.signal });
  expect(res.status).toBe(200);
  const events: Watcher["events"] = [];
  let ended = false;
  const done = (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    const reader = res.body!.getReader();
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        buffer += decoder.decode(chunk.value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          if (event) events.push({ event, data: /^data: (.*)$/m.exec(block)?.[1] ?? "" });
        }
      }
    } catch {
      // Aborted by stop().
    }
    ended = true;
  })();
  return { events, ended: done, isEnded: () => ended, stop: () => controller.abort() };
}

/** A running run in the room, started by its owner, printing a line every 200 ms until stopped. */
async function runningRoomRun(roomId: string, owner: TestUser) {
  const row = await db.execution.create({
    data: { userId: owner.id, roomId, language: "python", version: "3", status: "running", limits: {}, attempts: 1, startedAt: new Date() },
  });
  let n = 0;
  const ticker = setInterval(() => void appendEvent(redis, row.id, "notice", { code: "tick", message: `line ${n++}` }).catch(() => undefined), 200);
  return {
    id: row.id,
    stop: async () => {
      clearInterval(ticker);
      await db.execution.update({ where: { id: row.id }, data: { status: "succeeded", finishedAt: new Date() } });
    },
  };
}

const ticks = (w: Watcher) => w.events.filter((e) => e.event === "notice").length;

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("attack: watching a run after access ends", () => {
  it("a member removed from the room stops receiving the run's output; the others go on", async () => {
    const { roomId, owner, editor, viewer } = await roomWithMembers();
    const run = await runningRoomRun(roomId, owner);
    const [removed, staying, roomEvents] = await Promise.all([
      watch(`/api/v1/executions/${run.id}/events`, { token: viewer.token }),
      watch(`/api/v1/executions/${run.id}/events`, { token: editor.token }),
      watch(`/api/v1/rooms/${roomId}/events`, { token: viewer.token }),
    ]);
    try {
      await until("the viewer receives the run's output", () => ticks(removed) >= 2, 15_000);
      expect((await api("DELETE", `/api/v1/rooms/${roomId}/members/${viewer.id}`, { token: owner.token })).status).toBe(204);
      await until("the removed viewer's stream ends", removed.isEnded, 20_000);
      const last = removed.events.at(-1)!;
      expect(last.event).toBe("error");
      expect(JSON.parse(last.data)).toMatchObject({ code: "access_revoked" });
      await until("the room's event stream ends", roomEvents.isEnded, 20_000);
      expect(roomEvents.events.at(-1)?.event).toBe("removed");
      // The editor still watches, and receives what is printed after the viewer was cut off.
      const seen = ticks(staying);
      await until("the editor receives more output", () => ticks(staying) > seen + 2, 15_000);
      expect(staying.isEnded()).toBe(false);
      // Coming back is refused as for any stranger.
      expect((await api("GET", `/api/v1/executions/${run.id}/events`, { token: viewer.token })).status).toBe(404);
    } finally {
      [removed, staying, roomEvents].forEach((w) => w.stop());
      await run.stop();
    }
  }, 90_000);

  it("signing out everywhere ends the streams of the account's tokens and of its browser sign-ins", async () => {
    const { roomId, owner, editor } = await roomWithMembers();
    const run = await runningRoomRun(roomId, owner);
    const cookie = await signIn(editor.username, editor.password);
    const [byToken, byCookie, ownerWatch] = await Promise.all([
      watch(`/api/v1/executions/${run.id}/events`, { token: editor.token }),
      watch(`/api/v1/executions/${run.id}/events`, { cookie }),
      watch(`/api/v1/executions/${run.id}/events`, { token: owner.token }),
    ]);
    try {
      // A session stream is checked again like a token's and lives on while the session does (past a recheck).
      await until("both of the editor's streams receive output for a while", () => ticks(byToken) >= 40 && ticks(byCookie) >= 40, 30_000);
      expect(byCookie.isEnded()).toBe(false);
      expect(byToken.isEnded()).toBe(false);
      expect((await api("DELETE", "/api/v1/me/sessions", { token: editor.token })).status).toBe(204);
      await until("the editor's streams end", () => byToken.isEnded() && byCookie.isEnded(), 20_000);
      for (const w of [byToken, byCookie]) expect(JSON.parse(w.events.at(-1)!.data)).toMatchObject({ code: "access_revoked" });
      expect(ownerWatch.isEnded()).toBe(false);
    } finally {
      [byToken, byCookie, ownerWatch].forEach((w) => w.stop());
      await run.stop();
    }
  }, 90_000);
});
