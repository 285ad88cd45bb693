import { Prisma } from "../../lib/db/generated/client";
import * as Y from "yjs";
import type { Database } from "../../lib/db/client";
import { isDatabaseUnavailable } from "../../lib/db/unavailable";

/** Rows one INSERT takes at most (a burst of edits from many rooms waits for the next one). */
const MAX_BATCH = 500;
/** Rows one compaction DELETE names at most. */
const DELETE_SLICE = 10_000;

interface Waiting {
  roomId: string;
  update: Buffer;
  resolve(): void;
  reject(err: Error): void;
}

/**
 * Each room's edits since its document was last stored, in PostgreSQL
 * (RoomUpdate), so that an edit the room server has acknowledged survives
 * the process (kill -9, a crash, a power cut: PostgreSQL commits with fsync).
 *
 * Appends are group-committed: while one INSERT is in flight, the edits that
 * arrive meanwhile (from every room of the process) wait and go together in
 * the next one, so a busy process pays one round trip and one fsync per
 * batch, not per keystroke. Batches commit in order and their waiters are
 * told in order, so a room's edits are acknowledged in the order they came.
 *
 * Loading a room applies its stored document, then its rows in order
 * (`since`); storing it deletes the rows the stored document contains
 * (`compact`): only rows it really holds, compared by Yjs, so an edit that
 * arrives while a store is in flight stays in the log.
 */
export class UpdateLog {
  private queue: Waiting[] = [];
  private flushing = false;

  constructor(private readonly db: Database) {}

  /** Resolves once `update` is committed to the room's log. */
  append(roomId: string, update: Uint8Array): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ roomId, update: Buffer.from(update), resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /** The room's logged updates, oldest first. */
  async since(roomId: string): Promise<Array<{ id: bigint; update: Uint8Array }>> {
    return this.db.$queryRaw<Array<{ id: bigint; update: Uint8Array }>>`
      SELECT id, "update" FROM "RoomUpdate" WHERE "roomId" = ${roomId}::uuid ORDER BY id`;
  }

  /** Deletes the room's logged updates that `stored` (a snapshot of what was just stored) contains; how many. */
  async compact(roomId: string, stored: Y.Snapshot): Promise<number> {
    const rows = await this.since(roomId);
    const held = rows.filter((row) => Y.snapshotContainsUpdate(stored, row.update)).map((row) => row.id);
    let deleted = 0;
    // In slices: one bind parameter per row, and PostgreSQL takes at most 65,535 in a statement (a longer log
    // would fail to compact at every store, and grow for good).
    for (let i = 0; i < held.length; i += DELETE_SLICE) {
      deleted += await this.db.$executeRaw`DELETE FROM "RoomUpdate" WHERE id IN (${Prisma.join(held.slice(i, i + DELETE_SLICE))})`;
    }
    return deleted;
  }

  private async insert(batch: Waiting[]): Promise<void> {
    const values = Prisma.join(batch.map((w) => Prisma.sql`(${w.roomId}::uuid, ${w.update})`));
    await this.db.$executeRaw`INSERT INTO "RoomUpdate" ("roomId", "update") VALUES ${values}`;
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_BATCH);
        try {
          await this.insert(batch);
          for (const w of batch) w.resolve();
        } catch (err) {
          if (batch.length === 1 || isDatabaseUnavailable(err)) {
            for (const w of batch) w.reject(err as Error);
            continue;
          }
          // One row refused (its room deleted meanwhile) must not refuse every room's edits that shared its INSERT:
          // those sockets would all be closed (4507). Each alone, in order.
          for (const w of batch) await this.insert([w]).then(w.resolve, w.reject);
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}
