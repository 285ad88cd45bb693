import { availableRuntimes, requireRuntime } from "@/lib/executions/runtimes";
import { readJson, readQuery } from "@/lib/http/errors";
import { roomCaps } from "@/lib/rooms/caps";
import { createRoomSchema, roomPageSchema } from "@/lib/rooms/requests";
import { createRoom, decodeRoomCursor, listRooms } from "@/lib/rooms/rooms";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

/**
 * GET /api/v1/rooms?limit=50&cursor= -> {rooms: [{id, name, language, role, members, createdAt, updatedAt}], nextCursor}:
 * a page of the caller's rooms, most recently used first (limit 1-100, default 50); pass nextCursor back for the
 * next page (null after the last).
 */
export const GET = route(async (request: Request) => {
  const caller = await requireCaller(request);
  const { limit, cursor } = readQuery(request, roomPageSchema);
  const page = await listRooms(web().db, caller.user.id, { limit, after: cursor ? decodeRoomCursor(cursor) : undefined });
  return Response.json(page, { headers: { "cache-control": "no-store" } });
});

/**
 * POST /api/v1/rooms {name, language} -> 201 the room, with the language's hello-world project in it; the caller owns it.
 * 409 too_many_rooms when the caller already owns SAM_MAX_ROOMS_PER_USER rooms.
 */
export const POST = route(async (request: Request) => {
  const { db, redis, config } = web();
  const caller = await requireCaller(request);
  const body = await readJson(request, createRoomSchema);
  const runtime = requireRuntime(await availableRuntimes(redis), body.language);
  const room = await createRoom(db, caller.user.id, body.name, runtime, roomCaps(config).roomsPerUser);
  return Response.json(room, { status: 201, headers: { location: `/api/v1/rooms/${room.id}`, "cache-control": "no-store" } });
});
