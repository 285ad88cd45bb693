import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../../lib/db/client";
import { appendEvent } from "../../lib/executions/events";
import { createRedis } from "../../lib/redis/connection";
import { appendRoomEvent } from "../../lib/rooms/events";
import { api, uniqueName, PASSWORD } from "../support/api";
import { startBacking, startService, type Backing, type RunningService } from "../support/stack";
import type { Redis } from "ioredis";

/**
 * What following a room costs in Redis connections. Each event stream held a
 * blocking connection of its own: a room watched by 50 people (each follows
 * the room's events and its run's events) cost 100 connections. Now every
 * stream of a web process waits on the process's one StreamReader.
 *
 * A PostgreSQL, Redis and web process of this file's own, so that every
 * connection to this Redis is the web process's or this test's.
 */
const WATCHERS = 50;
let backing: Backing;
let web: RunningService;
let db: Database;
let redis: Redis;

beforeAll(async () => {
  backing = await startBacking();
  web = await startService("web/server.ts", backing, { SAM_MAX_EVENT_STREAMS_PER_USER: String(4 * WATCHERS), SAM_TRUST_PROXY: "true" });
  db = createDatabase(backing.databaseUrl);
  redis = createRedis(backing.redisUrl);
}, 240_000);
afterAll(async () => {
  await web?.stop();
  await db?.$disconnect();
  redis?.disconnect();
  await backing?.stop();
});

/** Connections to this Redis, not counting this test's own. */
async function webConnections(): Promise<number> {
  const list = (await redis.client("LIST")) as string;
  const own = String(await redis.client("ID"));
  return list.split("\n").filter((line) => line && !line.startsWith(`id=${own} `)).length;
}

interface Watcher {
  events: string[];
  stop(): void;
}

/** Opens an event stream and records its events ("name data"). */
async function watch(path: string, token: string): Promise<Watcher> {
  const controller = new AbortController();
  const res = await fetch(`${web.url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  expect(res.status).toBe(200);
  const events: string[] = [];
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      const reader = res.body!.getReader();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        buffer += decoder.decode(chunk.value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const name = /^event: (.*)$/m.exec(block)?.[1];
          if (name) events.push(`${name} ${/^data: (.*)$/m.exec(block)?.[1] ?? ""}`);
        }
      }
    } catch {
      // stopped
    }
  })();
  return { events, stop: () => controller.abort() };
}

describe("Redis connections per watcher", () => {
  it(`${WATCHERS} people following a room and its run cost the web process no Redis connection each (before: one per stream)`, async () => {
    const base = web.url;
    const ip = "10.77.0.1";
    const username = uniqueName();
    const registered = await api("POST", "/api/v1/auth/register", { base, ip, body: { username, password: PASSWORD } });
    expect(registered.status).toBe(201);
    const token = registered.json.token as string;
    // Made in the database: the API would want a runner's language templates, which this stack has not.
    const userId = registered.json.user.id as string;
    const { id: roomId } = await db.room.create({ data: { name: "Watched room", language: "python", members: { create: { userId, role: "owner" } } } });
    const run = await db.execution.create({
      data: { userId, roomId, language: "python", version: "3", status: "running", limits: {}, attempts: 1, startedAt: new Date() },
    });
    const before = await webConnections();
    const watchers: Watcher[] = [];
    let tick = 0;
    /** Opens `pairs` more people (room events + run events each) and waits until every stream so far has received a new event. */
    const follow = async (pairs: number) => {
      for (let i = 0; i < pairs; i++) {
        watchers.push(await watch(`/api/v1/rooms/${roomId}/events`, token), await watch(`/api/v1/executions/${run.id}/events`, token));
      }
      const name = `tick-${tick++}`;
      await appendEvent(redis, run.id, "notice", { code: "tick", message: name });
      await appendRoomEvent(redis, roomId, "room", { name });
      await expect.poll(() => watchers.every((w) => w.events.some((e) => e.includes(name))), { timeout: 60_000 }).toBe(true);
    };
    try {
      // The first person makes the web process open what it opens once (its queue connection, the stream reader's connection).
      await follow(1);
      const withOne = await webConnections();
      await follow(WATCHERS - 1);
      const withAll = await webConnections();
      console.log(
        `Redis connections of the web process: ${before} before, ${withOne} with 1 person (2 streams), ${withAll} with ${WATCHERS} people (${2 * WATCHERS} streams)`,
      );
      // Not one more connection for the 49 people who came after the first.
      expect(withAll).toBe(withOne);
      expect(withOne - before).toBeLessThanOrEqual(2);
    } finally {
      for (const w of watchers) w.stop();
    }
  }, 180_000);
});
