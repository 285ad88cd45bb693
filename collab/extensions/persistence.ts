import { createHash } from "node:crypto";
import type {
  afterUnloadDocumentPayload,
  Document,
  Extension,
  Hocuspocus,
  onConfigurePayload,
  onLoadDocumentPayload,
  onStoreDocumentPayload,
} from "@hocuspocus/server";
import type { Logger } from "pino";
import * as Y from "yjs";
import type { Database } from "../../lib/db/client";
import type { DocumentBudget } from "./document-budget";

/** The origin of what a store takes in from the stored document (another collab process's edits). */
const FROM_STORE = "sam:stored-document";
/** Store attempts in a row that find the row changed by another process before giving up until the retry. */
const RACES = 5;
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30_000;

/**
 * Rooms' documents in PostgreSQL (RoomDocument: one encoded Yjs update per
 * room). Hocuspocus debounces stores (see server.ts) and stores once more when
 * the last client leaves and on shutdown.
 *
 * Never an empty document over a real one: a room whose load failed is
 * marked, and nothing is stored for it until it loads properly; and a store
 * of a room that no longer exists (deleted meanwhile) is dropped.
 *
 * Never one process's copy over another's, and no second copy to find out:
 * several collab processes may hold a room, each storing its own copy. Each
 * process remembers a hash of the state it last read or wrote; a store writes
 * only if the row still holds that state (one UPDATE ... WHERE, compared by
 * PostgreSQL), which is the common case: nobody else stored since, so this
 * copy holds everything stored. Otherwise the stored state is applied to the
 * live document (Yjs merges it: another process's edits join this one's, and
 * reach its members too) and the store tries again.
 *
 * Never a crash, never lost edits: a store that fails (PostgreSQL down, a
 * timeout) is logged and tried again later, with growing pauses, and the
 * room stays in memory meanwhile (held like a connection, so Hocuspocus does
 * not unload it) until a store succeeds.
 */
export class RoomPersistence implements Extension {
  extensionName = "room-persistence";
  private instance?: Hocuspocus;
  /** sha256 of what this process last read from or wrote to each room's row. */
  private readonly storedHash = new Map<string, Buffer>();
  private readonly failedLoads = new Set<string>();
  /** Rooms whose last store failed: held in memory until one succeeds. */
  private readonly failing = new Map<string, { attempts: number; timer?: NodeJS.Timeout }>();

  constructor(private readonly deps: { db: Database; log: Logger; budget: DocumentBudget }) {}

  async onConfigure({ instance }: onConfigurePayload): Promise<void> {
    this.instance = instance;
  }

  async onLoadDocument({ documentName, document }: onLoadDocumentPayload): Promise<void> {
    await this.deps.budget.load(documentName, document, async () => {
      try {
        const row = await this.deps.db.roomDocument.findUnique({ where: { roomId: documentName }, select: { state: true } });
        this.failedLoads.delete(documentName);
        if (!row) return 0;
        Y.applyUpdate(document, row.state);
        this.storedHash.set(documentName, sha256(row.state));
        return row.state.byteLength;
      } catch (err) {
        this.failedLoads.add(documentName);
        this.deps.log.error({ room: documentName, err: (err as Error).message }, "could not load the room's document");
        throw err;
      }
    });
  }

  async onStoreDocument(payload: onStoreDocumentPayload): Promise<void> {
    const { documentName, document } = payload;
    if (this.failedLoads.has(documentName)) {
      this.deps.log.warn({ room: documentName }, "not storing a room whose document failed to load");
      return;
    }
    try {
      const bytes = await this.write(documentName, document);
      if (bytes !== undefined) this.deps.budget.stored(documentName, document, bytes);
      this.recovered(documentName, document);
    } catch (err) {
      this.failed(payload, err as Error);
    }
  }

  async afterUnloadDocument({ documentName, instance }: afterUnloadDocumentPayload): Promise<void> {
    // Loaded again meanwhile (a member came back): its load set what it read.
    if (!instance.documents.has(documentName) && !instance.loadingDocuments.has(documentName)) this.storedHash.delete(documentName);
  }

  /** Rooms with edits that are only in memory (their stores are failing). */
  unsaved(): string[] {
    return [...this.failing.keys()];
  }

  /** Writes the live document; the bytes written, or undefined when the room is gone. */
  private async write(roomId: string, document: Y.Doc): Promise<number | undefined> {
    for (let race = 0; race < RACES; race++) {
      const previous = this.storedHash.get(roomId);
      if (previous) {
        const state = Buffer.from(Y.encodeStateAsUpdate(document));
        const written = await this.deps.db.$executeRaw`
          UPDATE "RoomDocument" SET state = ${state}, "updatedAt" = now()
          WHERE "roomId" = ${roomId}::uuid AND sha256(state) = ${previous}`;
        if (written === 1) {
          this.storedHash.set(roomId, sha256(state));
          return state.byteLength;
        }
      }
      // Another process stored since this one last looked (or it never read the row): take in what it stored.
      const row = await this.deps.db.roomDocument.findUnique({ where: { roomId }, select: { state: true } });
      if (!row) {
        this.deps.log.info({ room: roomId }, "the room is gone; its document was not stored");
        return undefined;
      }
      Y.applyUpdate(document, row.state, FROM_STORE);
      this.storedHash.set(roomId, sha256(row.state));
    }
    throw new Error(`the stored document changed ${RACES} times during one store`);
  }

  private failed(payload: onStoreDocumentPayload, err: Error): void {
    const { documentName, document } = payload;
    let failing = this.failing.get(documentName);
    if (!failing) {
      failing = { attempts: 0 };
      this.failing.set(documentName, failing);
      // Held like a connection: Hocuspocus unloads only rooms nobody is connected to.
      document.addDirectConnection();
    }
    failing.attempts += 1;
    const retryInMs = Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (failing.attempts - 1));
    this.deps.log.error(
      { room: documentName, err: err.message, attempts: failing.attempts, retryInMs },
      "could not store the room's document; it stays in memory and the store is tried again",
    );
    clearTimeout(failing.timer);
    failing.timer = setTimeout(() => {
      if (document.isDestroyed) return;
      void this.instance?.storeDocumentHooks(document, payload, true)?.catch(() => undefined);
    }, retryInMs);
  }

  private recovered(roomId: string, document: Document): void {
    const failing = this.failing.get(roomId);
    if (!failing) return;
    clearTimeout(failing.timer);
    this.failing.delete(roomId);
    document.removeDirectConnection();
    this.deps.log.info({ room: roomId, attempts: failing.attempts }, "the room's document is stored again");
  }
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest();
