import { readJson } from "@/lib/http/errors";
import { currentRoomFiles } from "@/lib/rooms/room-files";
import { snapshotContent } from "@/lib/rooms/snapshots/content";
import { SNAPSHOT_LIMITS } from "@/lib/rooms/snapshots/limits";
import { listSnapshots, snapshotSummary } from "@/lib/rooms/snapshots/read";
import { createSnapshotSchema } from "@/lib/rooms/snapshots/requests";
import { takeManualSnapshot } from "@/lib/rooms/snapshots/take";
import { web } from "@/lib/web/context";
import { roomSnapshotLease } from "@/lib/web/executions";
import { roomForCaller } from "@/lib/web/room-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * GET /api/v1/rooms/:id/snapshots -> {snapshots: [...], limits} (any member):
 * the room's named and run snapshots, newest first, without their files.
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const { room } = await roomForCaller(request, (await params).id, "read");
  const snapshots = await listSnapshots(db, room.id);
  return Response.json({ snapshots, limits: SNAPSHOT_LIMITS }, { headers: { "cache-control": "no-store" } });
});

/**
 * POST /api/v1/rooms/:id/snapshots {name} -> 201 the snapshot (editors and the
 * owner): the room's files as everyone sees them now, under that name. 409
 * too_many_snapshots or snapshot_quota past the room's limits. Reading the
 * live files costs as for a run, so it shares the runs' lease (429 rate_limited).
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { db, redis, secret, log } = web();
  const { caller, room } = await roomForCaller(request, (await params).id, "edit");
  const { name } = await readJson(request, createSnapshotSchema);
  const lease = await roomSnapshotLease(caller.user.id);
  const live = await currentRoomFiles({ db, redis, secret, log }, room.id).finally(() => void lease.release());
  const row = await takeManualSnapshot(db, { roomId: room.id, userId: caller.user.id, name, content: snapshotContent(live) });
  return Response.json(snapshotSummary(row), { status: 201, headers: { "cache-control": "no-store" } });
});
