import type { Database } from "../../db/client";
import { ApiError } from "../../http/errors";
import type { SnapshotContent } from "./content";
import { SNAPSHOT_LIMITS, type SnapshotLimits } from "./limits";
import { snapshotsToPrune } from "./retention";

type Tx = Parameters<Parameters<Database["$transaction"]>[0]>[0];

/**
 * Saving a snapshot: one transaction under the room's snapshot lock, so two
 * saves at once cannot both pass the limits, and two runs at once cannot both
 * store the same files.
 */
async function lockRoomSnapshots(tx: Tx, roomId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(hashtext(${`sam:snapshots:${roomId}`}))`;
}

async function retainedRows(tx: Tx, roomId: string) {
  return tx.roomSnapshot.findMany({ where: { roomId }, select: { id: true, kind: true, bytes: true, createdAt: true } });
}

async function prune(tx: Tx, roomId: string, limits: SnapshotLimits): Promise<void> {
  const ids = snapshotsToPrune(await retainedRows(tx, roomId), limits);
  if (ids.length) await tx.roomSnapshot.deleteMany({ where: { id: { in: ids }, roomId } });
}

/**
 * A named snapshot of `content` (the room's files now). Refused with 409 when
 * the room holds the most named snapshots allowed, or when named snapshots
 * alone would pass the room's byte quota; run snapshots make way otherwise.
 */
export async function takeManualSnapshot(
  db: Database,
  input: { roomId: string; userId: string; name: string; content: SnapshotContent },
  limits: SnapshotLimits = SNAPSHOT_LIMITS,
) {
  const { roomId, content } = input;
  return db.$transaction(async (tx) => {
    await lockRoomSnapshots(tx, roomId);
    const manual = (await retainedRows(tx, roomId)).filter((r) => r.kind === "manual");
    if (manual.length >= limits.manual) {
      throw new ApiError(409, "too_many_snapshots", `The room keeps at most ${limits.manual} named snapshots; delete one you no longer need first.`);
    }
    const used = manual.reduce((sum, r) => sum + r.bytes, 0);
    if (used + content.bytes > limits.bytes) {
      throw new ApiError(
        409,
        "snapshot_quota",
        `The room's named snapshots may hold ${limits.bytes} bytes in all; they hold ${used} and the files now are ${content.bytes}. Delete a named snapshot first.`,
      );
    }
    const row = await tx.roomSnapshot.create({
      data: { roomId, kind: "manual", name: input.name, createdById: input.userId, files: content.files as never, bytes: content.bytes, hash: content.hash },
      omit: { files: true },
      include: { createdBy: { select: { id: true, username: true } } },
    });
    await prune(tx, roomId, limits);
    return row;
  });
}

/**
 * The snapshot of a run's files; null when they equal the room's previous run
 * snapshot (nothing is stored twice) or could never fit the quota.
 */
export async function takeRunSnapshot(
  db: Database,
  input: { roomId: string; userId: string; executionId: string; content: SnapshotContent },
  limits: SnapshotLimits = SNAPSHOT_LIMITS,
): Promise<{ id: string } | null> {
  const { roomId, content } = input;
  if (content.bytes > limits.bytes) return null;
  return db.$transaction(async (tx) => {
    await lockRoomSnapshots(tx, roomId);
    const previous = await tx.roomSnapshot.findFirst({ where: { roomId, kind: "run" }, orderBy: { createdAt: "desc" }, select: { hash: true } });
    if (previous?.hash === content.hash) return null;
    const row = await tx.roomSnapshot.create({
      data: {
        roomId,
        kind: "run",
        createdById: input.userId,
        executionId: input.executionId,
        files: content.files as never,
        bytes: content.bytes,
        hash: content.hash,
      },
      select: { id: true },
    });
    await prune(tx, roomId, limits);
    return row;
  });
}
