import { deleteSnapshot, readSnapshot } from "@/lib/rooms/snapshots/read";
import { web } from "@/lib/web/context";
import { roomSnapshotLease } from "@/lib/web/executions";
import { roomForCaller } from "@/lib/web/room-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string; snapshotId: string }> };

/**
 * GET /api/v1/rooms/:id/snapshots/:snapshotId -> the snapshot with its files
 * [{path, content}] (any member). A snapshot may be as large as the room's
 * quota, and reading it costs the web process several times that while it is
 * parsed and answered: it shares the runs' lease (429 rate_limited), so one
 * member cannot have more than a couple in memory at once.
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const { id, snapshotId } = await params;
  const { caller, room } = await roomForCaller(request, id, "read");
  const lease = await roomSnapshotLease(caller.user.id);
  const snapshot = await readSnapshot(db, room.id, snapshotId).finally(() => void lease.release());
  return Response.json(snapshot, { headers: { "cache-control": "no-store" } });
});

/**
 * DELETE /api/v1/rooms/:id/snapshots/:snapshotId -> 204: the owner deletes
 * any snapshot; an editor the named ones they saved (403 otherwise).
 */
export const DELETE = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const { id, snapshotId } = await params;
  const { caller, room, role } = await roomForCaller(request, id, "read");
  await deleteSnapshot(db, room.id, snapshotId, { userId: caller.user.id, role });
  return new Response(null, { status: 204 });
});
