import { ApiError, readJson } from "@/lib/http/errors";
import { currentRoomFiles } from "@/lib/rooms/room-files";
import { changesAgainstRoom, folderOfTerminal } from "@/lib/terminals/files";
import { keepFilesSchema } from "@/lib/terminals/requests";
import { liveTerminal } from "@/lib/terminals/terminals";
import { web } from "@/lib/web/context";
import { roomSnapshotLease } from "@/lib/web/executions";
import { roomForCaller } from "@/lib/web/room-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * POST /api/v1/rooms/:id/terminal/files {terminalId} -> 200 {files: [{path,
 * content, change: "new"|"changed"}], skipped: [{path, reason}], unchanged}
 * (editors and the owner): the text files in the terminal's project folder
 * that differ from the room's. Nothing changes in the room: the page of the
 * person who asked applies the ones they choose ("Keep these files").
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { db, redis, secret, log } = web();
  const { caller, room } = await roomForCaller(request, (await params).id, "edit");
  const body = await readJson(request, keepFilesSchema);
  const row = await liveTerminal(room.id);
  if (!row || row.id !== body.terminalId || row.status !== "running")
    throw new ApiError(404, "no_terminal", "That terminal is not running in this room; start one (or reload).");
  // Reading the folder and the room's live files each cost a copy of them: at most two such reads of a user at once.
  const lease = await roomSnapshotLease(caller.user.id);
  try {
    const answer = await folderOfTerminal(redis, row.id, request.signal);
    const files = await currentRoomFiles({ db, redis, secret, log }, room.id);
    return Response.json(changesAgainstRoom(answer, files), { headers: { "cache-control": "no-store" } });
  } finally {
    void lease.release();
  }
});
