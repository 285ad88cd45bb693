import { availableRuntimes, requireRuntime } from "@/lib/executions/runtimes";
import { readQuery } from "@/lib/http/errors";
import { ImportLimiter } from "@/lib/rooms/archive/import-limit";
import { createImportedRoom } from "@/lib/rooms/archive/import-room";
import { ROOM_ZIP_LIMITS } from "@/lib/rooms/archive/limits";
import { roomFilesFromZip } from "@/lib/rooms/archive/zip-import";
import { roomCaps } from "@/lib/rooms/caps";
import { createRoomSchema } from "@/lib/rooms/requests";
import { requireCaller } from "@/lib/web/caller";
import { readUpload } from "@/lib/web/classroom-assignments";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

/**
 * POST /api/v1/rooms/import?name=&language=, body: a zip (at most 8 MiB) -> 201
 * {room, files, skipped: [{path, reason}]}: a new room, owned by the caller,
 * holding the zip's text files (lib/rooms/archive/zip-import.ts says what is
 * refused, what is skipped, and why). Signed in (401); name and language as
 * for POST /api/v1/rooms; the body is read no further than its limit (413).
 * 30 imports a minute per user, refused ones too (429 rate_limited: import-limit.ts).
 */
export const POST = route(async (request: Request) => {
  const { db, redis, config } = web();
  const caller = await requireCaller(request);
  const query = readQuery(request, createRoomSchema);
  const runtime = requireRuntime(await availableRuntimes(redis), query.language);
  await new ImportLimiter(redis).consume(caller.user.id);
  const body = await readUpload(request, ROOM_ZIP_LIMITS.zipBytes);
  const content = await roomFilesFromZip(body);
  const room = await createImportedRoom(db, caller.user.id, { name: query.name, language: runtime.language }, content, roomCaps(config).roomsPerUser);
  return Response.json(
    { room, files: content.files.length, skipped: content.skipped },
    { status: 201, headers: { location: `/api/v1/rooms/${room.id}`, "cache-control": "no-store" } },
  );
});
