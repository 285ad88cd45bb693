import fs from "node:fs";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../../lib/db/client";
import { appendEvent } from "../../lib/executions/events";
import { createRedis } from "../../lib/redis/connection";
import { registerUser } from "../support/api";
import { startService, type RunningService } from "../support/stack";

/**
 * Attack F3, through the API: GET /api/v1/executions/:id built the whole
 * output as one JSON string (16 MiB of \x01 bytes is 100 MB as JSON), the
 * event stream pushed its events without waiting for the reader, and nothing
 * limited responses a client never reads: 20 such connections took the web
 * process from 425 MB to 2.47 GB. Now both make output only as fast as the
 * client reads it, hold a bounded piece at a time, and a large response counts
 * against the user's stream cap. A web process of its own here, so its memory
 * is measured alone.
 */
const MiB = 1024 * 1024;
const OUTPUT = Buffer.alloc(8 * MiB, 1); // 8 MiB of \x01: about 50 MB as JSON text
const CAP = 20;
const db = createDatabase(inject("databaseUrl"));
const redis = createRedis(inject("redisUrl"));
let web: RunningService;
const sockets: net.Socket[] = [];

beforeAll(async () => {
  const backing = { dataDir: inject("dataDir"), databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl"), stop: async () => undefined };
  web = await startService("web/server.ts", backing, { SAM_MAX_EVENT_STREAMS_PER_USER: String(CAP) });
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await web?.stop();
  await db.$disconnect();
  redis.disconnect();
});

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A finished run of `userId` with a large output, stored as the runner stores it. */
async function largeRun(userId: string): Promise<string> {
  const row = await db.execution.create({
    data: {
      userId,
      language: "python",
      version: "3",
      status: "succeeded",
      limits: {},
      stdout: new Uint8Array(OUTPUT),
      stderr: new Uint8Array(OUTPUT),
      exitCode: 0,
      attempts: 1,
      finishedAt: new Date(),
    },
  });
  return row.id;
}

/** Sends a GET and reads only its first bytes (the status line), then never reads again. */
function unreadGet(path: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(web.port, "127.0.0.1", () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`);
    });
    sockets.push(socket);
    socket.once("data", (chunk: Buffer) => {
      socket.pause();
      resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(chunk.toString("latin1"))?.[1] ?? 0));
    });
    socket.once("error", reject);
  });
}

describe("attack: clients that never read large responses (API)", () => {
  it("many unread GETs and event streams of large runs do not grow the web process's memory; past the stream cap: 429", async () => {
    const [getter, watcher] = [await registerUser(), await registerUser()];
    const getRun = await largeRun(getter.id);
    const watchRun = await largeRun(watcher.id);
    // The event stream sends the result (from PostgreSQL) as soon as it reads the result event.
    await appendEvent(redis, watchRun, "result", { id: watchRun, status: "succeeded" });
    const auth = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

    // A full read first: the routes are loaded, and the answer is right.
    const whole = await fetch(`${web.url}/api/v1/executions/${getRun}`, auth(getter.token));
    const view = await whole.json();
    expect(view.stdout).toBe("\u0001".repeat(OUTPUT.length));
    await sleep(1000); // its stream lease is given back
    const before = rssMb(web.proc.child.pid!);

    const statuses = await Promise.all([
      ...Array.from({ length: CAP }, () => unreadGet(`/api/v1/executions/${getRun}`, getter.token)),
      ...Array.from({ length: CAP }, () => unreadGet(`/api/v1/executions/${watchRun}/events`, watcher.token)),
    ]);
    expect(statuses).toEqual(Array(2 * CAP).fill(200));
    // Past the cap, a large response is refused like another stream.
    const refused = await fetch(`${web.url}/api/v1/executions/${getRun}`, auth(getter.token));
    expect(refused.status).toBe(429);
    expect((await refused.json()).error.code).toBe("too_many_streams");

    // Give the server every chance to fill its buffers, then take its memory.
    let peak = before;
    for (let i = 0; i < 20; i++) {
      await sleep(250);
      peak = Math.max(peak, rssMb(web.proc.child.pid!));
    }
    // Before: about 50 MB per connection (2 GB here). Generous bound.
    expect(peak - before).toBeLessThan(400);

    // Closing them frees their places.
    for (const s of sockets.splice(0)) s.destroy();
    let again = 0;
    for (let i = 0; i < 50 && again !== 200; i++) {
      const res = await fetch(`${web.url}/api/v1/executions/${getRun}?encoding=base64`, auth(getter.token));
      again = res.status;
      if (again === 200) expect(Buffer.from((await res.json()).stderr, "base64").equals(OUTPUT)).toBe(true);
      else await sleep(200);
    }
    expect(again).toBe(200);
  }, 180_000);
});
