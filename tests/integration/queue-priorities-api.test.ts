import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { createDatabase, type Database } from "../../lib/db/client";
import { classOfPriority, jobPriority } from "../../lib/executions/priority";
import { EXECUTION_QUEUE } from "../../lib/executions/queue";
import { publishRuntimes } from "../../lib/executions/runtimes";
import { createRedis } from "../../lib/redis/connection";
import { api, uniqueName, PASSWORD } from "../support/api";
import { eventually } from "../support/rooms";
import { startBacking, startService, type Backing, type RunningService } from "../support/stack";

/**
 * Classes of work through the real API and the real runner, on a stack of
 * this file's own: runs are queued through the API while no runner is up
 * (so they stay queued), then one runner with one slot starts and takes them.
 * The order it started them in (their startedAt) is the queue's order.
 */
const QUEUED_CAP = 8;
let backing: Backing;
let collab: RunningService;
let web: RunningService;
let runner: RunningService | undefined;
let redis: Redis;
let db: Database;
let queue: Queue;
/** BullMQ leaves a connection it was handed open when it closes. */
let queueConnection: Redis;

beforeAll(async () => {
  backing = await startBacking();
  collab = await startService("collab/main.ts", backing);
  web = await startService("web/server.ts", backing, {
    SAM_COLLAB_URL: collab.url,
    SAM_RUNS_PER_MINUTE: "100000",
    SAM_MAX_QUEUED_RUNS_PER_USER: String(QUEUED_CAP),
  });
  redis = createRedis(backing.redisUrl);
  db = createDatabase(backing.databaseUrl);
  queueConnection = createRedis(backing.redisUrl);
  queue = new Queue(EXECUTION_QUEUE, { connection: queueConnection });
});
// No runner yet: publish the runtime (with a room template) so runs are accepted and stay queued; it expires in 30 s.
beforeEach(() =>
  publishRuntimes(redis, "test-runner", [
    { language: "python", version: "3", aliases: [], limits: {}, template: { files: [{ name: "main.py", content: "print('room')" }] }, entryFile: "main.py" },
  ]),
);
afterAll(async () => {
  await queue?.close();
  queueConnection?.disconnect();
  redis?.disconnect();
  await db?.$disconnect();
  await runner?.stop();
  await web?.stop();
  await collab?.stop();
  await backing?.stop();
});

async function register() {
  const res = await api("POST", "/api/v1/auth/register", { base: web.url, body: { username: uniqueName("prio"), password: PASSWORD } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
  return { token: res.json.token as string, id: res.json.user.id as string };
}

const run = (token: string, extra: Record<string, unknown> = {}) =>
  api("POST", "/api/v1/executions", { base: web.url, token, body: { language: "python", files: [{ name: "main.py", content: "print('ok')" }], ...extra } });

describe("workClass on POST /api/v1/executions", () => {
  it("refuses a class a caller may not ask for, with a message naming the ones it may", async () => {
    const user = await register();
    for (const workClass of ["interactive", "urgent", 3]) {
      const res = await run(user.token, { workClass });
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe("invalid_request");
      expect(res.json.error.message).toContain('"api" or "batch"');
    }
  });

  it("batch runs count against the account's cap of queued runs: 429 too_many_active_runs with Retry-After", async () => {
    const user = await register();
    const ids: string[] = [];
    for (let i = 0; i < QUEUED_CAP; i++) {
      const res = await run(user.token, { workClass: "batch" });
      expect(res.status).toBe(202);
      ids.push(res.json.id);
    }
    const refused = await run(user.token, { workClass: "batch" });
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe("too_many_active_runs");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    // Cancelled: the places are free again, and the account's next runs are not queued behind them.
    for (const id of ids) expect((await api("DELETE", `/api/v1/executions/${id}`, { base: web.url, token: user.token })).status).toBe(200);
    const next = await run(user.token, { workClass: "batch" });
    expect(next.status).toBe(202);
    expect((await queue.getJob(next.json.id))?.priority).toBe(jobPriority("batch", 0));
    expect((await api("DELETE", `/api/v1/executions/${next.json.id}`, { base: web.url, token: user.token })).status).toBe(200);
  });
});

describe("who the runner serves first", () => {
  it("a room's run, then an API run, then batch runs with accounts in turn, whatever order they were queued in", async () => {
    const [flooder, latecomer, caller, roomOwner] = await Promise.all([register(), register(), register(), register()]);
    const flood: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await run(flooder.token, { workClass: "batch" });
      expect(res.status).toBe(202);
      flood.push(res.json.id);
    }
    const late = await run(latecomer.token, { workClass: "batch" });
    const plain = await run(caller.token);
    const room = await api("POST", "/api/v1/rooms", { base: web.url, token: roomOwner.token, body: { name: "Priorities", language: "python" } });
    expect(room.status).toBe(201);
    const roomRun = await api("POST", `/api/v1/rooms/${room.json.id}/runs`, { base: web.url, token: roomOwner.token, body: {} });
    expect([late.status, plain.status, roomRun.status]).toEqual([202, 202, 202]);

    // What the web process queued: each job's class, and the flooder's runs in its class's band one after another.
    const job = (id: string) => queue.getJob(id);
    expect((await job(roomRun.json.id))?.data).toMatchObject({ workClass: "interactive", userId: roomOwner.id });
    expect(classOfPriority((await job(roomRun.json.id))!.priority)).toBe("interactive");
    expect((await job(plain.json.id))?.data.workClass).toBe("api");
    expect(classOfPriority((await job(plain.json.id))!.priority)).toBe("api");
    expect(await Promise.all(flood.map(async (id) => (await job(id))!.priority))).toEqual([0, 1, 2, 3, 4].map((k) => jobPriority("batch", k)));
    expect((await job(late.json.id))?.priority).toBe(jobPriority("batch", 0));

    runner = await startService("runner/main.ts", backing, { SAM_SANDBOX_DIR: inject("sandboxDir"), SAM_SANDBOX_DRIVER: "oci", SAM_RUNNER_CONCURRENCY: "1" });
    const all = [roomRun.json.id, plain.json.id, ...flood, late.json.id] as string[];
    await eventually(
      "every run to finish",
      async () => (await db.execution.count({ where: { id: { in: all }, status: { in: ["queued", "running"] } } })) === 0,
      180_000,
    );
    const rows = await db.execution.findMany({ where: { id: { in: all } } });
    expect(rows.map((r) => r.status)).toEqual(rows.map(() => "succeeded"));
    const startedOrder = rows.sort((x, y) => x.startedAt!.getTime() - y.startedAt!.getTime()).map((r) => r.id);
    expect(startedOrder).toEqual([roomRun.json.id, plain.json.id, flood[0], late.json.id, ...flood.slice(1)]);
  }, 240_000);
});
