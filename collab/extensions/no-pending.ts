import { Connection, type afterLoadDocumentPayload, type Extension } from "@hocuspocus/server";
import type { Logger } from "pino";
import type * as Y from "yjs";
import { CLOSE } from "../../lib/rooms/close-codes";

/**
 * Nothing a room's document holds aside survives a change. Yjs keeps the
 * parts of an update that depend on edits it does not have ("pending"):
 * uncounted by the budget, merged again on every later update (a second of
 * CPU each, for every room of the process), stored and sent with the room,
 * and applied unchecked once what they wait for arrives. The gate refuses
 * such updates before they apply (update-check.ts) and holds back a client's
 * updates until what they build on has come (authenticated-room.ts); but the
 * check reads updates apart from Yjs, and attacks found ways past it three
 * times (a client in two sections, a known struct naming an unknown
 * neighbour, two new clients naming each other as right neighbours).
 *
 * So after every transaction on a room's document, whatever Yjs kept aside is
 * dropped (it was never applied nor sent to anyone), and the connection the
 * change came from is closed (4024: its client reconnects and syncs afresh).
 * This is the document's own event, whatever became of the socket (a client
 * that closes in the same write as its update is still caught).
 */
export class NoPendingEdits implements Extension {
  extensionName = "no-pending-edits";

  constructor(private readonly log: Logger) {}

  async afterLoadDocument({ document, documentName }: afterLoadDocumentPayload): Promise<void> {
    const drop = (origin: unknown) => {
      if (!dropPending(document)) return;
      const from = origin instanceof Connection ? origin : undefined;
      this.log.warn({ room: documentName, fromConnection: Boolean(from) }, "a change left edits the room could not place; dropped");
      // The whole socket, as the gate closes it: the page reconnects and syncs afresh.
      from?.webSocket.close(CLOSE.missingEdits.code, CLOSE.missingEdits.reason);
    };
    // What the stored document held aside (from before this rule) goes at once.
    drop(undefined);
    document.on("afterTransactionCleanup", (transaction: Y.Transaction) => drop(transaction.origin));
  }
}

/** Drops whatever `doc` holds aside; true if there was anything. */
export function dropPending(doc: Y.Doc): boolean {
  const store = doc.store;
  if (!store.pendingStructs && !store.pendingDs) return false;
  store.pendingStructs = null;
  store.pendingDs = null;
  return true;
}
