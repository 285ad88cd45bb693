import { availableRuntimes, requireRuntime } from "@/lib/executions/runtimes";
import { readJson } from "@/lib/http/errors";
import { createRoomSchema } from "@/lib/rooms/requests";
import { createRoom, listRooms } from "@/lib/rooms/rooms";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

/** GET /api/v1/rooms -> {rooms: [{id, name, language, role, members, createdAt, updatedAt}]}: the caller's rooms, most recently used first. */
export const GET = route(async (request: Request) => {
  const caller = await requireCaller(request);
  return Response.json({ rooms: await listRooms(web().db, caller.user.id) }, { headers: { "cache-control": "no-store" } });
});

/** POST /api/v1/rooms {name, language} -> 201 the room, with the language's hello-world project in it; the caller owns it. */
export const POST = route(async (request: Request) => {
  const { db, redis } = web();
  const caller = await requireCaller(request);
  const body = await readJson(request, createRoomSchema);
  const runtime = requireRuntime(await availableRuntimes(redis), body.language);
  const room = await createRoom(db, caller.user.id, body.name, runtime);
  return Response.json(room, { status: 201, headers: { location: `/api/v1/rooms/${room.id}`, "cache-control": "no-store" } });
});
