import type { Database } from "../../db/client";
import { ApiError } from "../../http/errors";
import { isUuid } from "../../http/ids";
import type { RoomRole } from "../roles";
import { type SnapshotFile, storedFiles } from "./content";

/** A snapshot as the API shows it in a list (no files). */
export interface SnapshotSummary {
  id: string;
  kind: "manual" | "run";
  name: string | null;
  createdBy: { id: string; username: string } | null;
  executionId: string | null;
  bytes: number;
  createdAt: Date;
}

type Row = Omit<SnapshotSummary, "createdBy"> & { createdBy: { id: string; username: string } | null };

export function snapshotSummary(row: Row): SnapshotSummary {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    createdBy: row.createdBy ? { id: row.createdBy.id, username: row.createdBy.username } : null,
    executionId: row.executionId,
    bytes: row.bytes,
    createdAt: row.createdAt,
  };
}

const SUMMARY = {
  id: true,
  kind: true,
  name: true,
  executionId: true,
  bytes: true,
  createdAt: true,
  createdBy: { select: { id: true, username: true } },
} as const;

/** Every snapshot the room keeps, newest first (retention bounds how many: SNAPSHOT_LIMITS). */
export async function listSnapshots(db: Database, roomId: string): Promise<SnapshotSummary[]> {
  const rows = await db.roomSnapshot.findMany({ where: { roomId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: SUMMARY });
  return rows.map(snapshotSummary);
}

function notFound(snapshotId: string): ApiError {
  return new ApiError(404, "snapshot_not_found", `The room has no snapshot ${snapshotId}; it may have been deleted or made way for newer ones.`);
}

/** One snapshot with its files; 404 snapshot_not_found when the room has none with that id. */
export async function readSnapshot(db: Database, roomId: string, snapshotId: string): Promise<SnapshotSummary & { files: SnapshotFile[] }> {
  if (!isUuid(snapshotId)) throw notFound(snapshotId);
  const row = await db.roomSnapshot.findFirst({ where: { id: snapshotId, roomId }, select: { ...SUMMARY, files: true } });
  if (!row) throw notFound(snapshotId);
  return { ...snapshotSummary(row), files: storedFiles(row.files) };
}

/**
 * Deletes a snapshot: the owner any, a member who can edit the named ones
 * they saved themselves (403 otherwise). Run snapshots are the owner's to
 * delete; they also make way for newer ones on their own.
 */
export async function deleteSnapshot(db: Database, roomId: string, snapshotId: string, caller: { userId: string; role: RoomRole }): Promise<void> {
  if (!isUuid(snapshotId)) throw notFound(snapshotId);
  const row = await db.roomSnapshot.findFirst({ where: { id: snapshotId, roomId }, select: { kind: true, createdById: true } });
  if (!row) throw notFound(snapshotId);
  const own = row.kind === "manual" && row.createdById === caller.userId && caller.role !== "viewer";
  if (caller.role !== "owner" && !own) {
    throw new ApiError(403, "forbidden", "Only the room's owner, or the member who saved a named snapshot, may delete it.");
  }
  await db.roomSnapshot.deleteMany({ where: { id: snapshotId, roomId } });
}
