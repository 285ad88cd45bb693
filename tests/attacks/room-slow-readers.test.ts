import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import type { Socket } from "node:net";
import * as Y from "yjs";
import { CLOSE } from "../../lib/rooms/close-codes";
import { filesOf } from "../../lib/rooms/document";
import { MESSAGE, SYNC } from "../../lib/rooms/socket-protocol";
import { uniqueIp } from "../support/api";
import {
  authenticatedRawSocket,
  changeOf,
  roomMessage,
  roomToken,
  roomWithMembers,
  rssBytes,
  syncRequestMessage,
  type AuthenticatedRawSocket,
} from "../support/rooms";
import { startService, type Backing, type RunningService } from "../support/stack";

/**
 * Members whose sockets stop reading (attack-web F3). The collab process
 * queued its replies in memory for as long as the socket lived: a viewer who
 * sent 60 sync requests (2.5 KB) on an 8 MiB document, each answered with
 * the whole document, grew it by 700 MB; and a stateless broadcast, which
 * the app never uses, reached every member.
 *
 * A collab process and a web process of this file's own (their memory is
 * this file's alone); the sockets go through the web port, as a browser's
 * do, except where the kernel buffers of the web proxy in between would
 * blur what the collab process queues. At most 1 MiB may wait unsent per
 * socket beyond its document.
 */
const backing: Backing = { dataDir: inject("dataDir"), databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl"), stop: async () => undefined };
let collab: RunningService;
let web: RunningService;

beforeAll(async () => {
  collab = await startService("collab/main.ts", backing, { SAM_COLLAB_MAX_SEND_BUFFER_KB: "1024" });
  web = await startService("web/server.ts", backing, { SAM_COLLAB_URL: collab.url, SAM_TRUST_PROXY: "true" });
});
afterAll(async () => {
  await web?.stop();
  await collab?.stop();
});

const MiB = 1024 * 1024;
const rss = () => rssBytes(collab.proc.child.pid!);
const connect = async (roomId: string, token: string) => authenticatedRawSocket(web.url, roomId, token, uniqueIp());
const connectDirectly = async (roomId: string, token: string) => authenticatedRawSocket(collab.url, roomId, token);

/** A room whose document holds `mib` MiB of plain text (cheap for the server to hold), with a viewer. */
async function bigRoom(mib: number) {
  const members = await roomWithMembers();
  const owner = await connect(members.roomId, await roomToken(members.roomId, members.owner));
  const doc = new Y.Doc();
  // What the server has: its answer to our sync request.
  owner.ws.send(syncRequestMessage(members.roomId));
  await expect.poll(() => owner.received.some((m) => syncAnswer(m.data)), { timeout: 10_000 }).toBe(true);
  Y.applyUpdate(doc, owner.received.map((m) => syncAnswer(m.data)).find((u) => u)!);
  const text = [...filesOf(doc).values()][0]!.get("text") as Y.Text;
  for (let i = 0; i < mib; i++) expect(await owner.sendUpdate(changeOf(doc, () => text.insert(text.length, "x".repeat(MiB - 1024))))).toBe("applied");
  owner.ws.close();
  return members;
}

/** The document in a sync answer (room name, type sync, step 2, update); undefined for any other message. */
function syncAnswer(data: Buffer): Uint8Array | undefined {
  const decoder = decoding.createDecoder(data);
  decoding.readVarString(decoder);
  if (decoding.readVarUint(decoder) !== MESSAGE.sync || decoding.readVarUint(decoder) !== SYNC.step2) return undefined;
  return decoding.readVarUint8Array(decoder);
}

/** Lines the collab process logged after `from` (a length of its log), read as JSON. */
const loggedSince = (from: number) =>
  fs
    .readFileSync(collab.logFile, "utf8")
    .slice(from)
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { code?: number; msg?: string });
const logLength = () => fs.readFileSync(collab.logFile, "utf8").length;

/** Stops reading: the kernel's buffers fill, then whatever the server sends waits in its memory. */
const stopReading = (socket: AuthenticatedRawSocket) => (socket.ws as unknown as { _socket: Socket })._socket.pause();

describe("attack: sockets that stop reading", () => {
  it("a viewer who stops reading and asks for the whole document again and again is cut off, and the process does not keep the replies", async () => {
    const { roomId, viewer } = await bigRoom(8);
    const log = logLength();
    const baseline = rss();
    // The attacker's 60 sync requests, from three sockets that read nothing.
    const sockets = await Promise.all([1, 2, 3].map(async () => connect(roomId, await roomToken(roomId, viewer))));
    for (const socket of sockets) {
      stopReading(socket);
      for (let i = 0; i < 20; i++) socket.ws.send(syncRequestMessage(roomId));
    }
    let peak = 0;
    for (let i = 0; i < 16; i++) {
      await new Promise((r) => setTimeout(r, 250));
      peak = Math.max(peak, rss() - baseline);
    }
    // Before: 60 answers of 8 MiB each stayed queued (480 MiB) until a ping timeout. Now a few are encoded, at most.
    expect(peak).toBeLessThan(256 * MiB);
    // Each of the three was closed (a client that reads nothing never sees the close frame: the server's log says it).
    const closes = loggedSince(log).filter((l) => l.code === CLOSE.tooManyRequests.code || l.code === CLOSE.tooFarBehind.code);
    expect(closes).toHaveLength(3);
    for (const socket of sockets) socket.ws.terminate();
  }, 120_000);

  it("more than a few sync requests on one connection close it, with the reason", async () => {
    const { roomId, viewer } = await bigRoom(1);
    const socket = await connect(roomId, await roomToken(roomId, viewer));
    for (let i = 0; i < 20; i++) socket.ws.send(syncRequestMessage(roomId));
    expect(await socket.closed).toEqual(CLOSE.tooManyRequests);
  }, 60_000);

  it("a client that falls too far behind is cut off, though it asked only a few times", async () => {
    const { roomId, viewer } = await bigRoom(12);
    const socket = await connectDirectly(roomId, await roomToken(roomId, viewer));
    const log = logLength();
    stopReading(socket);
    // Within the allowance of sync requests: each answer is the whole 12 MiB document.
    for (let i = 0; i < 3; i++) socket.ws.send(syncRequestMessage(roomId));
    // Before: the answers waited, 36 MiB of them, until the ping timeout (a minute) closed the socket.
    await expect.poll(() => loggedSince(log).some((l) => l.code === CLOSE.tooFarBehind.code), { timeout: 15_000 }).toBe(true);
    // Reading again, the client finds its socket gone.
    (socket.ws as unknown as { _socket: Socket })._socket.resume();
    await socket.closed;
  }, 60_000);

  it("stateless broadcasts (unused by the app) are refused: the sender's socket is closed and nobody gets them", async () => {
    const { roomId, owner, viewer } = await roomWithMembers();
    const listener = await connect(roomId, await roomToken(roomId, owner));
    const sender = await connect(roomId, await roomToken(roomId, viewer));
    for (const type of [MESSAGE.broadcastStateless, MESSAGE.stateless]) {
      const payload = roomMessage(roomId, type, (e) => encoding.writeVarString(e, "z".repeat(64 * 1024)));
      sender.ws.send(payload);
    }
    expect(await sender.closed).toEqual(CLOSE.badMessage);
    await new Promise((r) => setTimeout(r, 500));
    expect(listener.received.filter((m) => m.type === MESSAGE.stateless)).toHaveLength(0);
    listener.ws.close();
  });
});
