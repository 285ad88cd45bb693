import { OutgoingMessage } from "@hocuspocus/server";
import type { Logger } from "pino";
import type { Awareness } from "y-protocols/awareness";
import { CLOSE } from "../../lib/rooms/close-codes";
import { isUuid } from "../../lib/http/ids";
import { presenceUser } from "../../lib/rooms/presence";
import { verifyRoomToken } from "../../lib/rooms/room-token";
import { MESSAGE, readHead, readToken, refusedRoom, type MessageHead } from "../../lib/rooms/socket-protocol";
import { tokenRefused } from "../extensions/authentication";
import { AuthenticatedRoom, type RoomDocuments } from "./authenticated-room";
import type { GatedWebSocket } from "./gated-websocket";
import type { LogThrottle } from "./log-throttle";
import { PresenceFilter } from "./presence-filter";

export interface GateLimits {
  /** A socket, and each room on it, must authenticate within this. */
  authTimeoutMs: number;
  /** Bytes a socket may send for rooms it is not authenticated in, over its whole life. */
  maxUnauthenticatedBytes: number;
  /** Different room names one socket may ever use. */
  maxRooms: number;
  /** Bytes that may wait unsent to a client, beyond the largest document it has open. */
  maxSendBufferBytes: number;
}

export interface GateContext {
  secret: string;
  limits: GateLimits;
  /** A loaded room's live awareness. */
  awarenessOf(roomId: string): Awareness | undefined;
  /** Rooms' live documents and their budget: what an update must fit. */
  documents: RoomDocuments & { bytesOf(roomId: string): number };
  log: Logger;
  /** Keeps a flood of sockets from writing a flood of log lines. */
  logThrottle: LogThrottle;
  /** The socket authenticated in a room for the first time. */
  onAuthenticated?(): void;
}

/**
 * Where a room on this socket stands:
 * - waiting: no token yet. Its messages are dropped (a client sends them while it fetches its token; Yjs
 *   sync and the client's presence, sent again after the token, make up for them).
 * - checking: the token's signature was good and Hocuspocus is authenticating (membership, role). Its
 *   messages wait here (they count against the socket's budget), and go through the room's rules once it
 *   is authenticated: nothing reaches Hocuspocus unjudged.
 * - authenticated: messages pass as authenticated-room.ts says (presence rewritten, updates checked).
 * - refused: dropped.
 */
type Room = { phase: "waiting" | "refused" } | { phase: "checking"; early: Buffer[] } | { phase: "authenticated"; policy: AuthenticatedRoom };

/**
 * The gate in front of Hocuspocus for one room socket. Hocuspocus holds
 * every message that arrives for a room until that room's authentication
 * succeeds, without limit and without a timeout (and forever, once it has
 * failed): anyone could fill the process's memory without an account. So
 * before authentication a socket gets little, and the token is checked
 * before Hocuspocus sees anything of a room:
 *
 * - a room's first word must be its token, whose signature, expiry and room
 *   are checked here, before Hocuspocus holds anything for it; a bad token
 *   is refused on the spot (Hocuspocus's own "permission denied" message);
 * - a few kilobytes for rooms it is not authenticated in, then the socket is closed;
 * - a few seconds: a socket that has not authenticated any room, or a room
 *   that has not authenticated, by then is closed;
 * - a few room names per socket (one socket may carry several rooms);
 * - anything that is not the room protocol closes the socket.
 *
 * Once a room is authenticated, its messages pass as authenticated-room.ts
 * says (the document's shape and budget, sync requests, message types), and
 * what the server sends the client waits unsent only up to a limit
 * (gated-websocket.ts): a client that falls further behind is cut off.
 *
 * Closing sends a clear close code and reason, stops reading from the
 * socket and cuts it shortly after, so a client that ignores the close
 * cannot keep sending.
 */
export class SocketGate {
  private readonly rooms = new Map<string, Room>();
  private unauthenticatedBytes = 0;
  private everAuthenticated = false;
  /** Messages held, in order, while a token's signature is being checked. */
  private held?: Buffer[];
  private closed = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly ws: GatedWebSocket,
    private readonly ctx: GateContext,
  ) {
    ws.gate = (data) => this.receive(data);
    ws.outgoing = (data) => this.sent(data);
    ws.sendLimit = () => this.sendLimit();
    ws.fellBehind = () => this.shut(CLOSE.tooFarBehind, { now: true });
    ws.once("close", () => this.dispose());
    this.after(ctx.limits.authTimeoutMs, () => {
      if (!this.everAuthenticated) this.shut(CLOSE.authenticationTimeout);
    });
  }

  /** Hocuspocus authenticated the socket in `roomId` as this user: their messages pass from now on. */
  authenticated(roomId: string, user: { id: string; username: string }): void {
    if (!this.everAuthenticated) this.ctx.onAuthenticated?.();
    this.everAuthenticated = true;
    const presence = new PresenceFilter(presenceUser(user), () => this.ctx.awarenessOf(roomId));
    const outlet = {
      pass: (data: Uint8Array) => {
        if (!this.closed) this.ws.pass(data);
      },
      close: (event: { code: number; reason: string }, detail?: string) => this.shut(event, { room: roomId, detail }),
    };
    const before = this.rooms.get(roomId);
    if (before?.phase === "authenticated") before.policy.settle();
    const policy = new AuthenticatedRoom(roomId, presence, this.ctx.documents, outlet);
    this.rooms.set(roomId, { phase: "authenticated", policy });
    for (const data of before?.phase === "checking" ? before.early : []) policy.receive(data, readHead(data)!);
  }

  refused(roomId: string): void {
    this.rooms.set(roomId, { phase: "refused" });
  }

  /** Hocuspocus closed the room on this socket (it forgets it too): a new token is needed to use it again. */
  disconnected(roomId: string): void {
    const room = this.rooms.get(roomId);
    if (room?.phase === "authenticated") room.policy.settle();
    if (room) this.rooms.set(roomId, { phase: "waiting" });
  }

  private receive(data: Buffer): void {
    if (this.closed) return;
    const head = readHead(data);
    if (!head || !isUuid(head.documentName)) return this.shut(CLOSE.badMessage);
    let room = this.rooms.get(head.documentName);
    if (!room) {
      if (this.rooms.size >= this.ctx.limits.maxRooms) return this.shut(CLOSE.tooManyRooms);
      room = { phase: "waiting" };
      this.rooms.set(head.documentName, room);
      this.after(this.ctx.limits.authTimeoutMs, () => {
        const phase = this.rooms.get(head.documentName)?.phase;
        if (phase === "waiting" || phase === "checking") this.shut(CLOSE.authenticationTimeout);
      });
    }
    if (room.phase !== "authenticated") {
      this.unauthenticatedBytes += data.byteLength;
      if (this.unauthenticatedBytes > this.ctx.limits.maxUnauthenticatedBytes) return this.shut(CLOSE.tooMuchBeforeAuthentication);
    }
    if (this.held) this.held.push(data);
    else this.handle(data, head);
  }

  private handle(data: Buffer, head: MessageHead): void {
    const room = this.rooms.get(head.documentName);
    switch (room?.phase) {
      case "authenticated":
        return room.policy.receive(data, head);
      case "checking":
        room.early.push(data);
        return;
      case "waiting": {
        const token = readToken(head);
        if (token !== undefined) this.checkToken(data, head.documentName, token);
        return;
      }
      default:
        return; // refused
    }
  }

  /** What Hocuspocus sends: an update applied (the room's next message may be judged), or a room refused after authentication. */
  private sent(data: Uint8Array): void {
    const head = readHead(data);
    const room = head && this.rooms.get(head.documentName);
    if (!room) return;
    if (head.type === MESSAGE.syncStatus && room.phase === "authenticated") return room.policy.applied();
    // Hocuspocus refuses a room after authentication too (a room that cannot be loaded): its messages are dropped from then on.
    if (refusedRoom(data) !== undefined) this.refused(head.documentName);
  }

  /** Unsent bytes allowed: the limit, plus the largest document the socket has open (a member joining gets it whole at once). */
  private sendLimit(): number {
    let largest = 0;
    for (const [roomId, room] of this.rooms) if (room.phase === "authenticated") largest = Math.max(largest, this.ctx.documents.bytesOf(roomId));
    return this.ctx.limits.maxSendBufferBytes + largest;
  }

  /** Checks the token's signature, expiry and room, holding everything that arrives meanwhile to keep the order. */
  private checkToken(data: Buffer, roomId: string, token: string): void {
    this.held = [];
    this.rooms.set(roomId, { phase: "checking", early: [] });
    verifyRoomToken(this.ctx.secret, token, roomId)
      .then(
        () => {
          if (this.rooms.get(roomId)?.phase === "checking") this.ws.pass(data);
        },
        (err: Error) => {
          this.refused(roomId);
          this.send(new OutgoingMessage(roomId).writePermissionDenied(tokenRefused(err)).toUint8Array());
        },
      )
      .finally(() => this.release());
  }

  private release(): void {
    const queue = this.held ?? [];
    this.held = undefined;
    for (const [i, data] of queue.entries()) {
      if (this.closed) return;
      // A held message started another check: the rest waits behind it, in order.
      if (this.holding()) return void this.held!.push(...queue.slice(i));
      this.handle(data, readHead(data)!);
    }
  }

  private holding(): boolean {
    return this.held !== undefined;
  }

  private send(message: Uint8Array): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(message);
  }

  /**
   * Closes the socket with a code and reason. `now`: cut at once (a client
   * that reads nothing would never get the close frame, and what waits for
   * it is freed only when the socket goes).
   */
  private shut(event: { code: number; reason: string }, opts: { now?: boolean; room?: string; detail?: string } = {}): void {
    if (this.closed) return;
    this.closed = true;
    this.ctx.logThrottle.info(
      this.ctx.log,
      { code: event.code, room: opts.room, detail: opts.detail, unauthenticatedBytes: this.unauthenticatedBytes, unsentBytes: this.ws.bufferedAmount },
      `room socket closed: ${event.reason}`,
    );
    this.ws.close(event.code, event.reason);
    // Stop reading (what the client keeps sending stays in its own buffers), and cut the socket soon after.
    this.ws.pause();
    if (opts.now) this.ws.terminate();
    else this.after(1000, () => this.ws.terminate());
  }

  private after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private dispose(): void {
    this.closed = true;
    for (const room of this.rooms.values()) if (room.phase === "authenticated") room.policy.settle();
    this.held = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
