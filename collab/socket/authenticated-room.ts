import type * as Y from "yjs";
import { CLOSE } from "../../lib/rooms/close-codes";
import { MESSAGE, readHead, readSync, SYNC, type MessageHead } from "../../lib/rooms/socket-protocol";
import { checkUpdate, type UpdateVerdict } from "../document/update-check";
import { type RoomShare, shareOf } from "../extensions/document-budget";
import type { PresenceFilter } from "./presence-filter";

type CloseEvent = { code: number; reason: string };

export interface RoomDocuments {
  /** The room's live document, when this process has it loaded. */
  documentOf(roomId: string): Y.Doc | undefined;
  /** Whether an update that passed the shape check fits the room's and the process's budget (document-budget.ts). */
  admit(roomId: string, doc: Y.Doc, updateBytes: number, verdict: Extract<UpdateVerdict, { ok: true }>): CloseEvent | undefined;
  /** An admitted update no longer holds its share of the room: applied, refused, or its socket gone. */
  settle(roomId: string, share: RoomShare): void;
}

/** What the room hands on, and how it ends the socket. */
export interface RoomOutlet {
  pass(data: Uint8Array): void;
  close(event: CloseEvent, detail?: string): void;
}

/** Messages that may wait behind an update being applied (a client waits for nothing; a flood does not wait here). */
const MAX_WAITING = 256;
/** Updates waiting for edits the client has not sent yet: at most this many bytes, for at most this long. */
const MAX_DEFERRED_BYTES = 256 * 1024;
const MAX_DEFERRED_MS = 10_000;
/** Sync requests (and presence queries) a room on one socket may make: a few at once, then one per REFILL_MS. */
const REQUEST_BURST = 3;
const REQUEST_REFILL_MS = 10_000;

/**
 * What one authenticated room on a socket may send, message by message:
 *
 * - the messages this app's client sends, and no others: sync, presence
 *   (rewritten: presence-filter.ts), presence queries, the token, close.
 *   Stateless messages and broadcasts (every member gets them: unused by the
 *   app, and a way to make the server send megabytes to everyone) close the
 *   socket, as does anything else;
 * - a document update only if it fits the room's document (its shape:
 *   update-check.ts) and the budget (document-budget.ts), judged against the
 *   document as it is when the update is applied: once an update is handed
 *   on, what follows waits until Hocuspocus has applied it (it then tells the
 *   client so: a sync status) before it is judged in turn. Otherwise an
 *   update judged while the one before it was still on its way would seem to
 *   depend on edits the server does not have, and a stream of updates could
 *   each fit a limit that together they pass;
 * - an update that depends on edits the server does not have is not applied
 *   (Yjs would keep it aside, uncounted, and it would land unchecked once they
 *   came): it waits here until they come. A client that was offline sends its
 *   offline edits a round trip after it reconnects, and what it types
 *   meanwhile builds on them. Only a little may wait, and not for long: past
 *   that the socket is closed (the client reconnects and syncs afresh);
 * - a few sync requests: each makes the server encode and send the whole
 *   document. The client asks once per connection; more than a few in a
 *   row close the socket.
 *
 * Hocuspocus holds messages for a room it is still setting up, then hands
 * them to the socket again: those come back through here, and what was
 * already judged passes as it is.
 */
export class AuthenticatedRoom {
  private requests = REQUEST_BURST;
  private refilledAt = Date.now();
  /** Messages handed on after being judged (Hocuspocus may hand them back). */
  private readonly judged = new WeakSet<Uint8Array>();
  /** Updates handed on before the room was loaded: judged when Hocuspocus hands them back, once it is. */
  private readonly unjudged = new WeakSet<Uint8Array>();
  /** An update was handed on and has not been applied yet: what arrives meanwhile waits here, in order. */
  private applying = false;
  private readonly waiting: Buffer[] = [];
  /** Updates whose dependencies have not arrived yet, oldest first. */
  private readonly deferred: Array<{ data: Buffer; update: Uint8Array; since: number }> = [];
  private deferredBytes = 0;
  /** The update handed on and admitted by the budget, until it has applied. */
  private admitted?: RoomShare;

  constructor(
    private readonly roomId: string,
    readonly presence: PresenceFilter,
    private readonly documents: RoomDocuments,
    private readonly outlet: RoomOutlet,
  ) {}

  receive(data: Buffer, head: MessageHead): void {
    if (this.judged.has(data)) return this.outlet.pass(data);
    // The update in flight, back from Hocuspocus now that the room is loaded: judged before it applies.
    if (this.unjudged.has(data)) {
      this.unjudged.delete(data);
      this.applying = false;
      this.judge(data, head);
      // Deferred or refused rather than applied: nothing is in flight, what waited goes on.
      if (!this.applying) this.applied();
      return;
    }
    if (this.deferredTooLong()) return;
    if (this.applying) {
      if (this.waiting.length >= MAX_WAITING) return this.outlet.close(CLOSE.tooManyRequests, "too many messages behind an update");
      this.waiting.push(data);
      return;
    }
    this.judge(data, head);
  }

  /** Hocuspocus told the client an update of this room was applied (or refused, for a viewer): what waited goes on. */
  applied(): void {
    this.settle();
    this.applying = false;
    this.retryDeferred();
    while (!this.applying && this.waiting.length > 0) {
      const data = this.waiting.shift()!;
      this.judge(data, readHead(data)!);
    }
  }

  private judge(data: Buffer, head: MessageHead): void {
    switch (head.type) {
      case MESSAGE.awareness: {
        let rewritten: Uint8Array | undefined;
        try {
          rewritten = this.presence.rewrite(head);
        } catch {
          return this.outlet.close(CLOSE.badMessage, "malformed presence");
        }
        if (rewritten) this.pass(rewritten);
        return;
      }
      case MESSAGE.sync:
        return this.sync(data, head);
      case MESSAGE.queryAwareness:
        return this.request() ? this.pass(data) : this.outlet.close(CLOSE.tooManyRequests);
      case MESSAGE.auth:
      case MESSAGE.close:
        return this.pass(data);
      default:
        return this.outlet.close(CLOSE.badMessage, `message type ${head.type} is not taken from clients`);
    }
  }

  private sync(data: Buffer, head: MessageHead): void {
    const sync = readSync(head);
    if (!sync) return this.outlet.close(CLOSE.badMessage, "malformed sync message");
    if (sync.step === SYNC.step1) return this.request() ? this.pass(data) : this.outlet.close(CLOSE.tooManyRequests);
    const doc = this.documents.documentOf(this.roomId);
    if (!doc) {
      // Not loaded yet: Hocuspocus holds the message until the room is set up, then hands it back to be judged;
      // what follows waits here meanwhile, as behind any update in flight.
      this.unjudged.add(data);
      this.applying = true;
      return this.outlet.pass(data);
    }
    this.apply(doc, data, sync.update!);
  }

  /** Applies an update that fits; keeps one that depends on edits not here yet; closes the socket for the rest. */
  private apply(doc: Y.Doc, data: Buffer, update: Uint8Array): "applied" | "deferred" | "closed" {
    const verdict = checkUpdate(doc, update);
    if (!verdict.ok && verdict.problem === "missing") return this.defer(data, update, verdict.detail);
    if (!verdict.ok) {
      this.outlet.close(CLOSE.documentRefused, verdict.detail);
      return "closed";
    }
    const over = this.documents.admit(this.roomId, doc, update.byteLength, verdict);
    if (over) {
      this.outlet.close(over, "over the budget");
      return "closed";
    }
    this.settle();
    this.admitted = shareOf(update.byteLength, verdict);
    this.applying = true;
    this.pass(data);
    return "applied";
  }

  /** The socket, or this room on it, is gone: an update in flight holds no share of the room any more. */
  settle(): void {
    if (!this.admitted) return;
    this.documents.settle(this.roomId, this.admitted);
    this.admitted = undefined;
  }

  private defer(data: Buffer, update: Uint8Array, detail: string): "deferred" | "closed" {
    if (this.deferred.some((d) => d.data === data)) return "deferred";
    if (this.deferredBytes + update.byteLength > MAX_DEFERRED_BYTES) {
      this.outlet.close(CLOSE.missingEdits, detail);
      return "closed";
    }
    this.deferred.push({ data, update, since: Date.now() });
    this.deferredBytes += update.byteLength;
    return "deferred";
  }

  /** After an update applied: the first deferred update that fits now is applied (the rest wait for its turn). */
  private retryDeferred(): void {
    const doc = this.documents.documentOf(this.roomId);
    if (!doc) return;
    for (let i = 0; i < this.deferred.length && !this.applying; i++) {
      const { data, update } = this.deferred[i]!;
      const outcome = this.apply(doc, data, update);
      if (outcome === "deferred") continue;
      this.deferred.splice(i, 1);
      this.deferredBytes -= update.byteLength;
      return;
    }
  }

  /** Deferred updates whose edits never came: the socket is closed (true). */
  private deferredTooLong(): boolean {
    const oldest = this.deferred[0];
    if (!oldest || Date.now() - oldest.since <= MAX_DEFERRED_MS) return false;
    this.outlet.close(CLOSE.missingEdits, "edits the client's updates depend on never came");
    return true;
  }

  private pass(data: Uint8Array): void {
    this.judged.add(data);
    this.outlet.pass(data);
  }

  /** Takes one sync request from the room's allowance; false when it has none left. */
  private request(): boolean {
    const now = Date.now();
    const refills = Math.floor((now - this.refilledAt) / REQUEST_REFILL_MS);
    if (refills > 0) {
      this.requests = Math.min(REQUEST_BURST, this.requests + refills);
      this.refilledAt += refills * REQUEST_REFILL_MS;
    }
    if (this.requests === 0) return false;
    this.requests -= 1;
    return true;
  }
}
