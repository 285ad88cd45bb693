import fs from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import WebSocket from "ws";
import * as Y from "yjs";
import { createDatabase, type Database } from "../lib/db/client";
import { createRoom } from "../lib/rooms/rooms";
import { signRoomToken } from "../lib/rooms/room-token";
import type { Backing, RunningService } from "../tests/support/stack";

/**
 * The room server under load: CLIENTS simulated people in one room, each
 * typing (a short insert every interval) for DURATION_MS after a WARMUP_MS
 * start that is not counted; for every edit, the time until every other
 * client has it. Each typing speed runs ROUNDS times in a fresh room and the
 * median round is reported (one burst of noise on a shared machine moves a
 * single round's p99 a lot). Then the collab process's memory per open room.
 * Clients are @hocuspocus/provider, as in a browser, in THREADS worker
 * threads (bench/collab-typists.ts), so one event loop does not carry all 50.
 */
const CLIENTS = Number(process.env.BENCH_COLLAB_CLIENTS ?? 50);
const DURATION_MS = Number(process.env.BENCH_COLLAB_MS ?? 10_000);
const WARMUP_MS = 2000;
const INTERVALS_MS = (process.env.BENCH_COLLAB_TYPE_MS ?? "500,2000").split(",").map(Number);
const ROUNDS = Number(process.env.BENCH_COLLAB_ROUNDS ?? 3);
const ROOMS = 100;
const THREADS = Number(process.env.BENCH_COLLAB_THREADS ?? 5);

const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

const TEMPLATE = { language: "python", version: "3", aliases: [], limits: {}, template: { files: [{ name: "main.py", content: 'print("Hello, world!")\n' }] } };
type User = { id: string; username: string };

export interface TypingResult {
  intervalMs: number;
  edits: number;
  /** Edits every other client received (the rest are missing from the latency figures, so say how many). */
  delivered: number;
  p50: number;
  p99: number;
  firstP50: number;
  firstP99: number;
  /** Each round's p99, to show the spread behind the median. */
  roundsP99: number[];
}

export interface CollabResult {
  clients: number;
  typing: TypingResult[];
  perRoomKb: number;
}

/** One round: everyone in a fresh room types every intervalMs; the latency of each edit to the first and to the last other client. */
async function typingRound(db: Database, secret: string, url: string, users: User[], intervalMs: number) {
  const room = await createRoom(db, users[0]!.id, "bench", TEMPLATE);
  await db.roomMember.createMany({ data: users.slice(1).map((u) => ({ roomId: room.id, userId: u.id, role: "editor" as const })) });
  const people = await Promise.all(
    users.map(async (u, index) => ({ index, token: await signRoomToken(secret, { userId: u.id, username: u.username, roomId: room.id, role: "editor" }) })),
  );
  // The simulated people type from several threads, as people type from several machines.
  const workers = Array.from({ length: THREADS }, (_, w) => {
    const slice = people.filter((p) => p.index % THREADS === w);
    return new Worker(new URL("./collab-typists-entry.mjs", import.meta.url), {
      workerData: { url, roomId: room.id, people: slice, durationMs: DURATION_MS, warmupMs: WARMUP_MS, intervalMs },
    });
  });
  const message = (w: Worker, type: string) =>
    new Promise<any>((resolve, reject) => {
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
    const list = arrivals.get(marker);
    if (list) list.push(at);
    else arrivals.set(marker, [at]);
  }
  const toAll: number[] = [];
  const toFirst: number[] = [];
  for (const [marker, sent] of sentAt) {
    const times = arrivals.get(marker) ?? [];
    if (times.length) toFirst.push(Math.min(...times) - sent);
    if (times.length === users.length - 1) toAll.push(Math.max(...times) - sent);
  }
  return {
    edits: sentAt.size,
    delivered: toAll.length,
    p50: percentile(toAll, 50),
    p99: percentile(toAll, 99),
    firstP50: percentile(toFirst, 50),
    firstP99: percentile(toFirst, 99),
  };
}

function client(url: string, roomId: string, token: string) {
  const doc = new Y.Doc();
  const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: WebSocket as never });
  let synced!: () => void;
  const ready = new Promise<void>((resolve) => (synced = resolve));
  const provider = new HocuspocusProvider({ websocketProvider: socket, name: roomId, document: doc, token, onSynced: ({ state }) => state && synced() });
  provider.attach();
  const close = () => {
    (socket as unknown as { webSocket?: { on?: (event: string, fn: () => void) => void } }).webSocket?.on?.("error", () => undefined);
    provider.destroy();
    socket.destroy();
    doc.destroy();
  };
  return { ready, close };
}

/** The collab process's resident memory per open room: one client keeps each of ROOMS rooms loaded. */
async function memoryPerRoom(db: Database, secret: string, url: string, users: User[], collabPid: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 2000));
  const before = rssKb(collabPid);
  const open = [];
  for (let i = 0; i < ROOMS; i++) {
    const owner = users[i % users.length]!;
    const room = await createRoom(db, owner.id, `room ${i}`, TEMPLATE);
    const c = client(url, room.id, await signRoomToken(secret, { userId: owner.id, username: owner.username, roomId: room.id, role: "owner" }));
    await c.ready;
    open.push(c);
  }
  await new Promise((r) => setTimeout(r, 1000));
  const perRoomKb = (rssKb(collabPid) - before) / ROOMS;
  for (const c of open) c.close();
  return perRoomKb;
}

export async function benchCollab(backing: Backing, collab: RunningService, log: (m: string) => void): Promise<CollabResult> {
  const db = createDatabase(backing.databaseUrl);
  const secret = fs.readFileSync(path.join(backing.dataDir, "secret"), "utf8").trim();
  const url = `${collab.url.replace(/^http/, "ws")}/collab`;
  try {
    // Fifty people, not one person in fifty tabs (which the per-user connection limit would stop).
    const users = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => db.user.create({ data: { username: `bench${i}`, usernameKey: `bench${i}` } })));
    const typing: TypingResult[] = [];
    for (const intervalMs of INTERVALS_MS) {
      const rounds = [];
      for (let round = 1; round <= ROUNDS; round++) {
        log(`collab: ${CLIENTS} clients each typing every ${intervalMs} ms in one room for ${DURATION_MS / 1000} s (round ${round}/${ROUNDS})`);
        rounds.push(await typingRound(db, secret, url, users, intervalMs));
      }
      // The round with the median p99, whole: its figures belong together.
      const byP99 = [...rounds].sort((a, b) => a.p99 - b.p99);
      const mid = byP99[Math.floor((byP99.length - 1) / 2)]!;
      typing.push({ intervalMs, ...mid, roundsP99: rounds.map((r) => r.p99) });
    }
    log(`collab: memory of ${ROOMS} open rooms`);
    const perRoomKb = await memoryPerRoom(db, secret, url, users, collab.proc.child.pid!);
    return { clients: CLIENTS, typing, perRoomKb };
  } finally {
    await db.$disconnect();
  }
}
