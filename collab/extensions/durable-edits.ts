import type { beforeHandleMessagePayload, Extension } from "@hocuspocus/server";
import * as decoding from "lib0/decoding";
import type { Logger } from "pino";
import { messageYjsSyncStep2, messageYjsUpdate } from "y-protocols/sync";
import * as Y from "yjs";
import { CLOSE } from "../../lib/rooms/close-codes";
import type { UpdateLog } from "../document/update-log";
import type { DocumentBudget } from "./document-budget";

/** Hocuspocus's message type for Yjs sync messages (MessageType.Sync). */
const SYNC = 0;
/** An update with nothing in it: no structs, no deletions. */
const EMPTY_UPDATE_BYTES = 2;

/**
 * An edit the room server acknowledges is durable. Hocuspocus 3 applies a
 * client's update (a sync Update or SyncStep2 message) and at once answers
 * SyncStatus(true), which is what the provider counts down in
 * `unsyncedChanges` (MessageReceiver.readSyncMessage); the only hook it
 * awaits before that is beforeHandleMessage, with the raw message. So here
 * every update is appended to the room's log (collab/document/update-log.ts)
 * and the message is handled only once the row is committed. Stores remain
 * debounced (persistence.ts): they fold the log into the room's document.
 *
 * What reaches this hook has passed the socket gate's checks
 * (document/update-check.ts); what Yjs would hold aside is dropped after it
 * applies (no-pending.ts), and again when a room is loaded from its log.
 * An append that fails (PostgreSQL down) fails the message: it is neither
 * applied nor acknowledged, the socket is closed (4507), and the provider,
 * which keeps its edits, sends them again when it has reconnected.
 */
export class DurableEdits implements Extension {
  extensionName = "durable-edits";

  constructor(private readonly deps: { log: UpdateLog; logger: Logger; budget?: Pick<DocumentBudget, "logged"> }) {}

  async beforeHandleMessage({ update: message, connection, document, documentName }: beforeHandleMessagePayload): Promise<void> {
    // A read-only connection's updates are refused by Hocuspocus, not applied.
    if (connection.readOnly) return;
    const edit = editIn(message);
    if (!edit || edit.update.byteLength <= EMPTY_UPDATE_BYTES) return;
    // What the room holds is durable already (loaded, logged, or logged by the collab process it came from).
    // A reconnecting client's SyncStep2 always repeats its deletions; and an update sent again changes nothing,
    // so no store follows it to compact its row: logged, a member resending one could grow the log without bound.
    if (holdsAlready(document, edit.update)) return;
    const update = edit.update;
    try {
      await this.deps.log.append(documentName, update);
      // What the log holds until the next store is bounded per room (document-budget.ts).
      this.deps.budget?.logged(documentName, update.byteLength);
    } catch (err) {
      this.deps.logger.error(
        { room: documentName, err: (err as Error).message },
        "an edit could not be logged; it is not acknowledged (the client sends it again)",
      );
      // The whole socket, as the gate closes it: the provider reconnects and its sync sends the edit again.
      // (Hocuspocus alone would only detach this room from the socket, and the provider would wait.)
      connection.webSocket.close(CLOSE.editNotSaved.code, CLOSE.editNotSaved.reason);
      throw new Error(`the edit could not be logged: ${(err as Error).message}`);
    }
  }
}

/** The Yjs update a room message carries (sync Update or SyncStep2), if any. */
export function editIn(message: Uint8Array): { kind: number; update: Uint8Array } | undefined {
  try {
    const decoder = decoding.createDecoder(message);
    decoding.readVarString(decoder);
    if (decoding.readVarUint(decoder) !== SYNC) return undefined;
    const kind = decoding.readVarUint(decoder);
    if (kind !== messageYjsUpdate && kind !== messageYjsSyncStep2) return undefined;
    return { kind, update: decoding.readVarUint8Array(decoder) };
  } catch {
    // Unreadable: Hocuspocus will refuse it too; nothing to log.
    return undefined;
  }
}

/**
 * Whether applying `update` would change nothing in `doc`: it holds every
 * struct (by its clients' clocks) and every deletion is done already. As
 * Y.snapshotContainsUpdate, without a snapshot of the whole document per edit:
 * the cost is the update's, and the document's structs its deletions cover.
 */
export function holdsAlready(doc: Y.Doc, update: Uint8Array): boolean {
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(update);
  } catch {
    return false;
  }
  for (const struct of decoded.structs) {
    if ((struct as unknown) instanceof Y.Skip) continue;
    if (Y.getState(doc.store, struct.id.client) < struct.id.clock + struct.length) return false;
  }
  for (const [client, ranges] of decoded.ds.clients) {
    const structs = doc.store.clients.get(client);
    for (const { clock, len } of ranges) {
      if (len === 0) continue;
      if (!structs || Y.getState(doc.store, client) < clock + len) return false;
      for (let i = Y.findIndexSS(structs, clock); i < structs.length && structs[i]!.id.clock < clock + len; i++) {
        if (!structs[i]!.deleted) return false;
      }
    }
  }
  return true;
}
