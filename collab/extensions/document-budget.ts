import type { afterUnloadDocumentPayload, Extension } from "@hocuspocus/server";
import type * as Y from "yjs";
import { CLOSE } from "../../lib/rooms/close-codes";
import { overLimits, type UpdateVerdict } from "../document/update-check";
import { refuse } from "./authentication";

/**
 * What each room's document costs this process, and what it may cost.
 *
 * A Yjs document's memory is not its encoded size: every struct (a run of
 * characters typed together, a map entry, a deleted stretch) is an object of
 * a few hundred bytes whatever it encodes to (measured: about 200 bytes for
 * a one-character item, 450 for a map entry, 1 byte per character of a long
 * run). So a room is counted by both: its encoded bytes (stored size, plus
 * each update since) and its structs, estimated at ITEM_BYTES each.
 *
 * - Each room: at most `maxBytes` and `maxItems`; an update that would take
 *   it past either is refused. One that only deletes may go up to twice past
 *   them, so a full room can always be emptied.
 * - The process: the rooms it holds may together cost `processBytes`; past
 *   that no room is loaded, and no update that adds content is taken.
 * - Rooms load one at a time, so loads at once cannot overshoot the budget
 *   together.
 */
export const ITEM_BYTES = 256;

/** Why a room is not opened while the process is at its budget (the member is told, and may try again). */
export const AT_CAPACITY = "The room server is at capacity just now; try again in a minute.";

export interface BudgetLimits {
  maxBytes: number;
  maxItems: number;
  processBytes: number;
}

interface RoomCost {
  /** Encoded bytes: as loaded or last stored, plus every update since (an upper bound). */
  bytes: number;
  /** Structs in the document's store, counted after each change. */
  items: number;
  /**
   * Bytes of the updates logged since the last store, as sent: what the room's edit log holds until the
   * store compacts it. `bytes` counts what each update changed, and an update may repeat most of the room
   * (a full state with one new character) while the log keeps all of it.
   */
  logged: number;
  doc: Y.Doc;
}

export class DocumentBudget implements Extension {
  extensionName = "document-budget";
  private readonly rooms = new Map<string, RoomCost>();
  /**
   * Updates admitted and not applied yet, per room. Each edit is logged before it applies (durable-edits.ts):
   * meanwhile other sockets' updates are judged against the same document, and each would fit a limit that
   * together they pass. So an admitted update holds its share of the room until its socket hears it was
   * applied (or goes away): `settle`.
   */
  private readonly inFlight = new Map<string, RoomShare>();
  private loading: Promise<unknown> = Promise.resolve();

  constructor(private readonly limits: BudgetLimits) {}

  /** Runs a room's load alone, and only while the process has room for another; `work` loads it and says its stored size. */
  async load(roomId: string, doc: Y.Doc, work: () => Promise<number>): Promise<void> {
    const turn = this.loading.then(async () => {
      if (this.total() >= this.limits.processBytes) throw refuse(AT_CAPACITY);
      const bytes = await work();
      const room: RoomCost = { bytes: bytes + pendingBytes(doc), items: countItems(doc), logged: 0, doc };
      this.rooms.set(roomId, room);
      // Every change, whoever made it (a member here, another collab process, a store's merge), counted as it happens:
      // the next update is judged right after this one applies, before any hook has run.
      doc.on("update", (update: Uint8Array) => {
        room.bytes += update.byteLength;
        room.items = countItems(doc);
      });
    });
    this.loading = turn.catch(() => undefined);
    await turn;
  }

  /** Whether an update (checked: update-check.ts) fits; the close event for the socket when it does not. */
  admit(roomId: string, doc: Y.Doc, updateBytes: number, verdict: Extract<UpdateVerdict, { ok: true }>): { code: number; reason: string } | undefined {
    const flying = this.inFlight.get(roomId) ?? NO_SHARE;
    const bytes = (this.rooms.get(roomId)?.bytes ?? 0) + flying.bytes + updateBytes;
    const items = countItems(doc) + flying.items + verdict.newItems;
    const slack = verdict.addsContent ? 1 : 2;
    if (bytes > this.limits.maxBytes * slack || items > this.limits.maxItems * slack) return CLOSE.documentTooLarge;
    if (verdict.addsContent && this.total() + updateBytes + verdict.newItems * ITEM_BYTES > this.limits.processBytes) return CLOSE.serverBusy;
    // The files and folders of updates in flight too (update-check counted only the document's).
    if (overLimits(verdict.files, verdict.folders, flying)) return CLOSE.documentRefused;
    // The edit log between two stores: at most twice the room's size limit (the next store empties it).
    if ((this.rooms.get(roomId)?.logged ?? 0) + flying.bytes + updateBytes > this.limits.maxBytes * 2) return CLOSE.serverBusy;
    this.inFlight.set(roomId, addShare(flying, shareOf(updateBytes, verdict), 1));
    return undefined;
  }

  /** An update was written to the room's edit log (durable-edits.ts): the log holds it until the next store. */
  logged(roomId: string, updateBytes: number): void {
    const room = this.rooms.get(roomId);
    if (room) room.logged += updateBytes;
  }

  /** An admitted update was applied (the document counts it now), refused, or will never apply (its socket went away). */
  settle(roomId: string, share: RoomShare): void {
    const flying = this.inFlight.get(roomId);
    if (!flying) return;
    const left = addShare(flying, share, -1);
    if (left.bytes <= 0 && left.items <= 0 && left.files <= 0 && left.folders <= 0) this.inFlight.delete(roomId);
    else this.inFlight.set(roomId, left);
  }

  /** The room's encoded size as counted (0 when not loaded here). */
  bytesOf(roomId: string): number {
    return this.rooms.get(roomId)?.bytes ?? 0;
  }

  /** What was stored is the document's size now. */
  stored(roomId: string, doc: Y.Doc, bytes: number): void {
    const room = this.rooms.get(roomId);
    if (room?.doc !== doc) return;
    room.bytes = bytes + pendingBytes(doc);
    room.logged = 0;
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    // The room may be loading again already (a member came back): only the unloaded copy goes.
    if (this.rooms.get(documentName)?.doc.isDestroyed) this.rooms.delete(documentName);
  }

  /** The estimated memory of every room held. */
  total(): number {
    let sum = 0;
    for (const room of this.rooms.values()) sum += room.bytes + room.items * ITEM_BYTES;
    for (const flying of this.inFlight.values()) sum += flying.bytes + flying.items * ITEM_BYTES;
    return sum;
  }
}

/** What an admitted update holds of its room until it has applied. */
export interface RoomShare {
  bytes: number;
  items: number;
  files: number;
  folders: number;
}
const NO_SHARE: RoomShare = { bytes: 0, items: 0, files: 0, folders: 0 };

export function shareOf(updateBytes: number, verdict: Extract<UpdateVerdict, { ok: true }>): RoomShare {
  return { bytes: updateBytes, items: verdict.newItems, files: verdict.files.added, folders: verdict.folders.added };
}

function addShare(a: RoomShare, b: RoomShare, sign: 1 | -1): RoomShare {
  return { bytes: a.bytes + sign * b.bytes, items: a.items + sign * b.items, files: a.files + sign * b.files, folders: a.folders + sign * b.folders };
}

/** Structs in a document's store: one array per client, so counting costs as many steps as clients. */
export function countItems(doc: Y.Doc): number {
  let count = 0;
  doc.store.clients.forEach((structs) => (count += structs.length));
  return count;
}

/** What Yjs holds aside for a document (structs and deletions waiting for edits it has not seen). */
function pendingBytes(doc: Y.Doc): number {
  return (doc.store.pendingStructs?.update.byteLength ?? 0) + (doc.store.pendingDs?.byteLength ?? 0);
}
