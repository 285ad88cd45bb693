import { Database as DatabaseExtension } from "@hocuspocus/extension-database";
import type { Logger } from "pino";
import * as Y from "yjs";
import type { Database } from "../../lib/db/client";

/**
 * Rooms' documents in PostgreSQL (RoomDocument: one encoded Yjs update per
 * room). Hocuspocus debounces stores (see server.ts) and stores once more when
 * the last client leaves and on shutdown.
 *
 * Never an empty document over a real one: a room whose load failed is
 * marked, and nothing is stored for it until it loads properly; and a store
 * of a room that no longer exists (deleted meanwhile) is dropped.
 *
 * Never one process's copy over another's: several collab processes may
 * hold a room, each storing its own copy, and one may lack what another has
 * not relayed to it yet (or a deletion only the other saw). So a store
 * merges this copy into the stored one, under a row lock, and writes the
 * union: stores from any number of processes, in any order, lose nothing.
 */
export function roomPersistence(db: Database, log: Logger) {
  const failedLoads = new Set<string>();
  const extension = new DatabaseExtension({
    async fetch({ documentName }) {
      try {
        const row = await db.roomDocument.findUnique({ where: { roomId: documentName } });
        failedLoads.delete(documentName);
        return row ? new Uint8Array(row.state) : null;
      } catch (err) {
        failedLoads.add(documentName);
        log.error({ room: documentName, err: (err as Error).message }, "could not load the room's document");
        throw err;
      }
    },
    async store({ documentName, state }) {
      if (failedLoads.has(documentName)) {
        log.warn({ room: documentName }, "not storing a room whose document failed to load");
        return;
      }
      const stored = await db.$transaction(async (tx) => {
        const rows = await tx.$queryRaw<Array<{ state: Uint8Array }>>`SELECT state FROM "RoomDocument" WHERE "roomId" = ${documentName} FOR UPDATE`;
        if (rows.length === 0) return false;
        await tx.roomDocument.update({ where: { roomId: documentName }, data: { state: Buffer.from(merge(rows[0]!.state, state)) } });
        return true;
        // Every process holding the room may store at once, each waiting its turn for the row: give them time.
      }, { maxWait: 10_000, timeout: 30_000 });
      if (!stored) log.info({ room: documentName }, "the room is gone; its document was not stored");
    },
  });
  return extension;
}

/** The union of two encoded documents, garbage-collected as a live document would be (deleted text is not kept). */
function merge(stored: Uint8Array, mine: Uint8Array): Uint8Array {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, stored);
    Y.applyUpdate(doc, mine);
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}
