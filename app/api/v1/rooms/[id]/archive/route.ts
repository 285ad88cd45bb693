import { ArchiveDownloadLimiter } from "@/lib/rooms/archive/download-limit";
import { roomZip } from "@/lib/rooms/archive/zip-export";
import { currentRoomFiles } from "@/lib/rooms/room-files";
import { web } from "@/lib/web/context";
import { roomSnapshotLease } from "@/lib/web/executions";
import { roomForCaller } from "@/lib/web/room-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * GET /api/v1/rooms/:id/archive -> the room's files as everyone sees them now,
 * as a zip (any member, viewers too: they can read every file anyway), inside
 * one folder named after the room. Reading the live files makes collab
 * serialize the room, so it takes one of the caller's room snapshot places
 * (429 rate_limited while they have two under way), as a run does. Empty
 * folders are not in it (the live files are files only). Twenty downloads a
 * minute per user (429 rate_limited past that: download-limit.ts says why).
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db, redis, secret, log } = web();
  const { caller, room } = await roomForCaller(request, (await params).id, "read");
  await new ArchiveDownloadLimiter(redis).consume(caller.user.id);
  const lease = await roomSnapshotLease(caller.user.id);
  const files = await currentRoomFiles({ db, redis, secret, log }, room.id).finally(() => void lease.release());
  const { folder, bytes } = await roomZip(room.name, files);
  return new Response(Buffer.from(bytes), {
    headers: {
      "content-type": "application/zip",
      "content-disposition": `attachment; filename="${folder}.zip"`,
      "cache-control": "no-store",
    },
  });
});
