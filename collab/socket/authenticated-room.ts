import type * as Y from "yjs";
import { CLOSE } from "../../lib/rooms/close-codes";
import { MESSAGE, readHead, readSync, SYNC, type MessageHead } from "../../lib/rooms/socket-protocol";
import { checkUpdate, type UpdateVerdict } from "../document/update-check";
import type { PresenceFilter } from "./presence-filter";

type CloseEvent = { code: number; reason: string };

export interface RoomDocuments {
  /** The room's live document, when this process has it loaded. */
  documentOf(roomId: string): Y.Doc | undefined;
  /** Whether an update that passed the shape check fits the room's and the process's budget (document-budget.ts). */
  admit(roomId: string, doc: Y.Doc, updateBytes: number, verdict: Extract<UpdateVerdict, { ok: true }>): CloseEvent | undefined;
}

/** What the room hands on, and how it ends the socket. */
export interface RoomOutlet {
  pass(data: Uint8Array): void;
  close(event: CloseEvent, detail?: string): void;
}

/** Messages that may wait behind an update being applied (a client waits for nothing; a flood does not wait here). */
const MAX_WAITING = 256;
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
 * - a document update only if it fits the room's document (its shape, no
 *   missing edits: update-check.ts) and the budget (document-budget.ts),
 *   judged against the document as it is when the update is applied: once
 *   an update is handed on, what follows waits until Hocuspocus has applied
 *   it (it then tells the client so: a sync status) before it is judged in
 *   turn. Otherwise an update judged while the one before it was still on
 *   its way would seem to depend on edits the server does not have, and a
 *   stream of updates could each fit a limit that together they pass;
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
  /** An update was handed on and has not been applied yet: what arrives meanwhile waits here, in order. */
  private applying = false;
  private readonly waiting: Buffer[] = [];

  constructor(
    private readonly roomId: string,
    readonly presence: PresenceFilter,
    private readonly documents: RoomDocuments,
    private readonly outlet: RoomOutlet,
  ) {}

  receive(data: Buffer, head: MessageHead): void {
    if (this.judged.has(data)) return this.outlet.pass(data);
    if (this.applying) {
      if (this.waiting.length >= MAX_WAITING) return this.outlet.close(CLOSE.tooManyRequests, "too many messages behind an update");
      this.waiting.push(data);
      return;
    }
    this.judge(data, head);
  }

  /** Hocuspocus told the client an update of this room was applied (or refused, for a viewer): the next may be judged. */
  applied(): void {
    this.applying = false;
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
    // Not loaded yet: Hocuspocus holds the message until the room is set up, then hands it back to be judged.
    if (!doc) return this.outlet.pass(data);
    const verdict = checkUpdate(doc, sync.update!);
    if (!verdict.ok) return this.outlet.close(verdict.problem === "missing" ? CLOSE.missingEdits : CLOSE.documentRefused, verdict.detail);
    const over = this.documents.admit(this.roomId, doc, sync.update!.byteLength, verdict);
    if (over) return this.outlet.close(over, "over the budget");
    this.applying = true;
    this.pass(data);
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
