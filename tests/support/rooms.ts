import { randomBytes } from "node:crypto";
import fs from "node:fs";
import type { Socket } from "node:net";
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import * as encoding from "lib0/encoding";
import { inject } from "vitest";
import WebSocket from "ws";
import * as Y from "yjs";
import { AUTH, isAuthenticatedReply, MESSAGE, readHead, SYNC } from "../../lib/rooms/socket-protocol";
import { api, registerUser } from "./api";

export type TestUser = Awaited<ReturnType<typeof registerUser>>;

/** A room owned by a fresh user, plus a viewer and an editor invited by name (who accepted), and a user who is not a member. */
export async function roomWithMembers(language = "python") {
  const [owner, editor, viewer, outsider] = await Promise.all([registerUser(), registerUser(), registerUser(), registerUser()]);
  const created = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "Test room", language } });
  if (created.status !== 201) throw new Error(`room not created: ${created.status} ${created.text}`);
  const roomId = created.json.id as string;
  await addMember(roomId, owner, editor, "editor");
  await addMember(roomId, owner, viewer, "viewer");
  return { roomId, owner, editor, viewer, outsider };
}

/** The owner invites `user` by name and `user` accepts: they are a member with `role` (adding someone takes their consent). */
export async function addMember(roomId: string, owner: TestUser, user: TestUser, role: "viewer" | "editor"): Promise<void> {
  const invited = await api("POST", `/api/v1/rooms/${roomId}/members`, { token: owner.token, body: { username: user.username, role } });
  if (invited.status !== 201) throw new Error(`invite failed: ${invited.status} ${invited.text}`);
  const accepted = await api("POST", `/api/v1/me/room-invitations/${invited.json.id}/accept`, { token: user.token, body: {} });
  if (accepted.status !== 200) throw new Error(`accepting the invitation failed: ${accepted.status} ${accepted.text}`);
}

export async function roomToken(roomId: string, user: TestUser): Promise<string> {
  const res = await api("POST", `/api/v1/rooms/${roomId}/token`, { token: user.token, body: {} });
  if (res.status !== 200) throw new Error(`no room token: ${res.status} ${res.text}`);
  return res.json.token as string;
}

export interface RoomClient {
  doc: Y.Doc;
  provider: HocuspocusProvider;
  socket: HocuspocusProviderWebsocket;
  closeEvents: Array<{ code: number; reason: string }>;
  authFailures: string[];
  synced: Promise<void>;
  destroy(): void;
}

/**
 * A room client in Node, as a browser tab would be: @hocuspocus/provider on
 * the room socket through the web app's /collab proxy (or straight to the
 * collab service), with a token function (fresh token per connect).
 */
export function connectRoom(
  roomId: string,
  token: string | (() => Promise<string>),
  opts: { direct?: boolean; collabUrl?: string; ip?: string } = {},
): RoomClient {
  const base = opts.collabUrl ?? (opts.direct ? inject("collabUrl") : inject("webUrl"));
  const url = `${base.replace(/^http/, "ws")}/collab`;
  const doc = new Y.Doc();
  const closeEvents: RoomClient["closeEvents"] = [];
  const authFailures: string[] = [];
  const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: (opts.ip ? fromAddress(opts.ip) : WebSocket) as never, maxAttempts: 0 });
  let resolveSynced!: () => void;
  const synced = new Promise<void>((resolve) => (resolveSynced = resolve));
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name: roomId,
    document: doc,
    token,
    onSynced: ({ state }) => state && resolveSynced(),
    onAuthenticationFailed: ({ reason }) => authFailures.push(reason),
    onClose: ({ event }) => closeEvents.push({ code: event.code, reason: event.reason }),
  });
  provider.attach();
  return {
    doc,
    provider,
    socket,
    closeEvents,
    authFailures,
    synced,
    destroy() {
      // ws reports closing a socket that is still connecting as an error event: expected here, not a failure.
      (socket as unknown as { webSocket?: { on?: (event: string, fn: () => void) => void } }).webSocket?.on?.("error", () => undefined);
      provider.destroy();
      socket.destroy();
      doc.destroy();
    },
  };
}

/** A WebSocket class whose sockets come from another client address (the test web app trusts X-Forwarded-For). */
function fromAddress(ip: string) {
  return class extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { headers: { "x-forwarded-for": ip } });
    }
  };
}

/** Polls until `check` holds (or fails the test with `what` after `ms`). */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting: ${what}`);
}

/** A bare WebSocket to a room socket URL (a modified client), optionally as another client address (the test web app trusts X-Forwarded-For). */
export function rawRoomSocket(baseUrl: string, ip?: string): RawSocket {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, "ws")}/collab`, { headers: ip ? { "x-forwarded-for": ip } : {} });
  ws.on("error", () => undefined);
  const opened = new Promise<"open" | number>((resolve) => {
    ws.once("open", () => resolve("open"));
    // Refused before the upgrade: the HTTP status.
    ws.once("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
    });
    ws.once("close", () => resolve(0));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  return { ws, opened, closed };
}

export interface RawSocket {
  ws: WebSocket;
  /** "open", or the HTTP status the upgrade was refused with. */
  opened: Promise<"open" | number>;
  closed: Promise<{ code: number; reason: string }>;
}

/** A room protocol message as Hocuspocus's provider frames it: the room name, the message type, then `body`. */
export function roomMessage(roomId: string, type: number, body: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarString(encoder, roomId);
  encoding.writeVarUint(encoder, type);
  body(encoder);
  return encoding.toUint8Array(encoder);
}

/** The resident memory of a process, from /proc. */
export function rssBytes(pid: number): number {
  const line = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB$/m);
  if (!line) throw new Error(`no VmRSS for process ${pid}`);
  return Number(line[1]) * 1024;
}

/** A room protocol message carrying a Yjs update (a sync "update", as the provider sends each edit). */
export function updateMessage(roomId: string, update: Uint8Array): Uint8Array {
  return roomMessage(roomId, MESSAGE.sync, (e) => {
    encoding.writeVarUint(e, SYNC.update);
    encoding.writeVarUint8Array(e, update);
  });
}

/** A sync request: "send me what I lack" (an empty state vector: the whole document). */
export function syncRequestMessage(roomId: string): Uint8Array {
  return roomMessage(roomId, MESSAGE.sync, (e) => {
    encoding.writeVarUint(e, SYNC.step1);
    encoding.writeVarUint8Array(e, Y.encodeStateVector(new Y.Doc()));
  });
}

export function tokenMessage(roomId: string, token: string): Uint8Array {
  return roomMessage(roomId, MESSAGE.auth, (e) => {
    encoding.writeVarUint(e, AUTH.token);
    encoding.writeVarString(e, token);
  });
}

export interface AuthenticatedRawSocket extends RawSocket {
  /** Every message the server sent, with its room protocol head read. */
  received: Array<{ type: number; data: Buffer }>;
  /** Sends an update and waits for the server's answer: "applied" (its sync status), or the socket's close. */
  sendUpdate(update: Uint8Array): Promise<"applied" | { code: number; reason: string }>;
}

/**
 * A modified client: a bare socket that authenticates in one room (straight
 * to a collab process, or through a web port) and then sends whatever it is
 * told, as an attacker's own program would.
 */
export async function authenticatedRawSocket(baseUrl: string, roomId: string, token: string, ip?: string): Promise<AuthenticatedRawSocket> {
  const socket = rawRoomSocket(baseUrl, ip);
  const received: AuthenticatedRawSocket["received"] = [];
  const listeners = new Set<() => void>();
  socket.ws.on("message", (data: Buffer) => {
    const head = readHead(data);
    if (head) received.push({ type: head.type, data });
    for (const listener of listeners) listener();
  });
  if ((await socket.opened) !== "open") throw new Error("the room socket was refused");
  socket.ws.send(tokenMessage(roomId, token));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (received.some((m) => isAuthenticatedReply(m.data))) return done(resolve);
      if (received.some((m) => m.type === MESSAGE.auth)) return done(() => reject(new Error("the room token was refused")));
    };
    const done = (fn: () => void) => {
      listeners.delete(check);
      fn();
    };
    listeners.add(check);
    void socket.closed.then((c) => done(() => reject(new Error(`closed before authenticating: ${c.code} ${c.reason}`))));
  });
  const statuses = () => received.filter((m) => m.type === MESSAGE.syncStatus).length;
  return {
    ...socket,
    received,
    sendUpdate(update) {
      const before = statuses();
      socket.ws.send(updateMessage(roomId, update));
      return new Promise((resolve) => {
        const check = () => {
          if (statuses() > before) {
            listeners.delete(check);
            resolve("applied");
          }
        };
        listeners.add(check);
        void socket.closed.then((c) => {
          listeners.delete(check);
          resolve(c);
        });
      });
    },
  };
}

/**
 * Sends messages and a close frame in one write, as a modified client can:
 * the server reads them together, so it may be closing the socket before it
 * has handled the messages (replies to them then go nowhere).
 */
export function sendThenClose(ws: WebSocket, messages: Uint8Array[]): void {
  const frame = (opcode: number, payload: Buffer) => {
    const mask = randomBytes(4);
    const length = payload.length;
    const head =
      length < 126
        ? Buffer.from([0x80 | opcode, 0x80 | length])
        : length < 65536
          ? Buffer.from([0x80 | opcode, 0x80 | 126, length >> 8, length & 255])
          : Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), Buffer.from(new BigUint64Array([BigInt(length)]).buffer).reverse()]);
    const body = Buffer.from(payload);
    for (let i = 0; i < body.length; i++) body[i]! ^= mask[i & 3]!;
    return Buffer.concat([head, mask, body]);
  };
  const raw = (ws as unknown as { _socket: Socket })._socket;
  raw.write(Buffer.concat([...messages.map((m) => frame(2, Buffer.from(m))), frame(8, Buffer.from([0x03, 0xe8]))]));
}

/** The update that takes `doc` from `before` (a state vector) to now. */
export function changeOf(doc: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  const before = Y.encodeStateVector(doc);
  change(doc);
  return Y.encodeStateAsUpdate(doc, before);
}

/** A copy of a room's stored document (what the collab process would load). */
export function storedCopy(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc;
}
