import fs from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import WebSocket from "ws";
import * as Y from "yjs";
import { createDatabase } from "../lib/db/client";
import { createRoom } from "../lib/rooms/rooms";
import { signRoomToken } from "../lib/rooms/room-token";
import type { Backing, RunningService } from "../tests/support/stack";

/**
 * The room server under load: CLIENTS simulated people in one room, each
 * typing (a short insert every TYPE_INTERVAL_MS) for DURATION_MS; for every
 * edit, the time until every other client has it. Then the collab process's
 * memory per open room, from its resident set before and after opening ROOMS
 * rooms. Clients are @hocuspocus/provider, as in a browser, in THREADS worker
 * threads (bench/collab-typists.ts), so one event loop does not carry all 50.
 */
const CLIENTS = Number(process.env.BENCH_COLLAB_CLIENTS ?? 50);
const DURATION_MS = Number(process.env.BENCH_COLLAB_MS ?? 10_000);
const TYPE_INTERVAL_MS = Number(process.env.BENCH_COLLAB_TYPE_MS ?? 500);
const ROOMS = 50;
const THREADS = Number(process.env.BENCH_COLLAB_THREADS ?? 5);

const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function client(url: string, roomId: string, token: string) {
  const doc = new Y.Doc();
  const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: WebSocket as never });
  let synced!: () => void;
  const ready = new Promise<void>((resolve) => (synced = resolve));
  const provider = new HocuspocusProvider({ websocketProvider: socket, name: roomId, document: doc, token, onSynced: ({ state }) => state && synced() });
  provider.attach();
  const text = () => [...doc.getMap<Y.Map<unknown>>("files").values()][0]!.get("text") as Y.Text;
  const close = () => {
    (socket as unknown as { webSocket?: { on?: (event: string, fn: () => void) => void } }).webSocket?.on?.("error", () => undefined);
    provider.destroy();
    socket.destroy();
    doc.destroy();
  };
  return { doc, ready, text, close };
}

export async function benchCollab(backing: Backing, collab: RunningService, log: (m: string) => void) {
  const db = createDatabase(backing.databaseUrl);
  const secret = fs.readFileSync(path.join(backing.dataDir, "secret"), "utf8").trim();
  const url = `${collab.url.replace(/^http/, "ws")}/collab`;
  // Fifty people, not one person in fifty tabs (which the per-user connection limit would stop).
  const users = await Promise.all(
    Array.from({ length: CLIENTS }, (_, i) => db.user.create({ data: { username: `bench${i}`, usernameKey: `bench${i}` } })),
  );
  const user = users[0]!;
  const template = { language: "python", version: "3", aliases: [], limits: {}, template: { files: [{ name: "main.py", content: 'print("Hello, world!")\n' }] } };
  const token = (roomId: string, who = user) => signRoomToken(secret, { userId: who.id, username: who.username, roomId, role: "editor" });
  try {
    log(`collab: ${CLIENTS} clients typing in one room for ${DURATION_MS / 1000} s`);
    const room = await createRoom(db, user.id, "bench", template);
    await db.roomMember.createMany({ data: users.slice(1).map((u) => ({ roomId: room.id, userId: u.id, role: "editor" })) });
    // The simulated people type from several threads, as people type from several machines.
    const people = await Promise.all(users.map(async (u, index) => ({ index, token: await token(room.id, u) })));
    const workers = Array.from({ length: THREADS }, (_, w) => {
      const slice = people.filter((p) => p.index % THREADS === w);
      return new Worker(new URL("./collab-typists-entry.mjs", import.meta.url), {
        workerData: { url, roomId: room.id, people: slice, durationMs: DURATION_MS, intervalMs: TYPE_INTERVAL_MS },
      });
    });
    const message = (w: Worker, type: string) => new Promise<any>((resolve, reject) => {
      w.on("message", (m) => m.type === type && resolve(m));
      w.once("error", reject);
    });
    await Promise.all(workers.map((w) => message(w, "ready")));
    const results = workers.map((w) => message(w, "done"));
    for (const w of workers) w.postMessage("go");
    const reports = await Promise.all(results);
    const sentAt = new Map<string, number>(reports.flatMap((r) => r.sends as Array<[string, number]>));
    const arrivals = new Map<string, number[]>();
    for (const [marker, at] of reports.flatMap((r) => r.receives as Array<[string, number]>)) {
      arrivals.set(marker, [...(arrivals.get(marker) ?? []), at]);
    }
    const latencies: number[] = [];
    const firstSeen: number[] = [];
    for (const [marker, sent] of sentAt) {
      const times = arrivals.get(marker) ?? [];
      if (times.length) firstSeen.push(Math.min(...times) - sent);
      if (times.length === CLIENTS - 1) latencies.push(Math.max(...times) - sent);
    }
    const seq = sentAt.size;
    const delivered = latencies.length;

    // Memory per open room: one client keeps each room open (loaded in the collab process).
    log(`collab: memory of ${ROOMS} open rooms`);
    await new Promise((r) => setTimeout(r, 2000));
    const before = rssKb(collab.proc.child.pid!);
    const openRooms = [];
    for (let i = 0; i < ROOMS; i++) {
      const owner = users[i % users.length]!;
      const r = await createRoom(db, owner.id, `room ${i}`, template);
      const c = client(url, r.id, await token(r.id, owner));
      await c.ready;
      openRooms.push(c);
    }
    await new Promise((r) => setTimeout(r, 1000));
    const perRoomKb = (rssKb(collab.proc.child.pid!) - before) / ROOMS;
    for (const c of openRooms) c.close();
    return {
      clients: CLIENTS,
      edits: seq,
      delivered,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      firstP50: percentile(firstSeen, 50),
      firstP99: percentile(firstSeen, 99),
      perRoomKb,
    };
  } finally {
    await db.$disconnect();
  }
}
