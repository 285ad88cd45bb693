import { Database as DatabaseExtension } from "@hocuspocus/extension-database";
import type { Logger } from "pino";
import type { Database } from "../lib/db/client";

/**
 * Rooms' documents in PostgreSQL (RoomDocument: one encoded Yjs update per
 * room). Hocuspocus debounces stores (see server.ts) and stores once more when
 * the last client leaves and on shutdown.
 *
 * Never an empty document over a real one: a room whose load failed is
 * marked, and nothing is stored for it until it loads properly; and a store
 * of a room that no longer exists (deleted meanwhile) is dropped.
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
      const updated = await db.roomDocument.updateMany({ where: { roomId: documentName }, data: { state: Buffer.from(state) } });
      if (updated.count === 0) log.info({ room: documentName }, "the room is gone; its document was not stored");
    },
  });
  return extension;
}
