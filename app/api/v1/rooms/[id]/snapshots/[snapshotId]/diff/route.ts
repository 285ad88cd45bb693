import { currentRoomFiles } from "@/lib/rooms/room-files";
import { compareFiles } from "@/lib/rooms/snapshots/diff";
import { readSnapshot } from "@/lib/rooms/snapshots/read";
import { web } from "@/lib/web/context";
import { roomSnapshotLease } from "@/lib/web/executions";
import { roomForCaller } from "@/lib/web/room-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string; snapshotId: string }> };

/**
 * GET /api/v1/rooms/:id/snapshots/:snapshotId/diff -> {snapshot, changes:
 * [{path, status: added|removed|changed, lines}]} (any member): what changed
 * in the room's files since the snapshot. Reading the snapshot and the live
 * files shares the runs' lease (429 rate_limited): taken before either read,
 * or requests past the lease would each load a whole snapshot first.
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db, redis, secret, log } = web();
  const { id, snapshotId } = await params;
  const { caller, room } = await roomForCaller(request, id, "read");
  const lease = await roomSnapshotLease(caller.user.id);
  let stored: Awaited<ReturnType<typeof readSnapshot>>;
  let live: Awaited<ReturnType<typeof currentRoomFiles>>;
  try {
    stored = await readSnapshot(db, room.id, snapshotId);
    live = await currentRoomFiles({ db, redis, secret, log }, room.id);
  } finally {
    void lease.release();
  }
  const { files, ...snapshot } = stored;
  return Response.json({ snapshot, changes: compareFiles(files, live) }, { headers: { "cache-control": "no-store" } });
});
