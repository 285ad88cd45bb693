import { readJson } from "@/lib/http/errors";
import { announceRoomControl, appendRoomEvent, deleteRoomEvents } from "@/lib/rooms/events";
import { renameRoomSchema } from "@/lib/rooms/requests";
import { listMembers } from "@/lib/rooms/rooms";
import { web } from "@/lib/web/context";
import { roomForCaller } from "@/lib/web/room-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/** GET /api/v1/rooms/:id -> {id, name, language, role, members: [...], createdAt, updatedAt} (members only; others 404). */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const { room, role } = await roomForCaller(request, (await params).id, "read");
  return Response.json({ ...room, role, members: await listMembers(db, room.id) }, { headers: { "cache-control": "no-store" } });
});

/** PATCH /api/v1/rooms/:id {name} -> the renamed room (owner only). */
export const PATCH = route(async (request: Request, { params }: Params) => {
  const { db, redis } = web();
  const { room, role } = await roomForCaller(request, (await params).id, "manage");
  const { name } = await readJson(request, renameRoomSchema);
  const updated = await db.room.update({ where: { id: room.id }, data: { name } });
  await appendRoomEvent(redis, room.id, "room", { name: updated.name });
  return Response.json({ ...updated, role }, { headers: { "cache-control": "no-store" } });
});

/** DELETE /api/v1/rooms/:id -> 204 (owner only): the room, its document, members, links and runs are gone; open sockets close. */
export const DELETE = route(async (request: Request, { params }: Params) => {
  const { db, redis } = web();
  const { room } = await roomForCaller(request, (await params).id, "manage");
  await db.room.delete({ where: { id: room.id } });
  await appendRoomEvent(redis, room.id, "deleted", {});
  await announceRoomControl(redis, { roomId: room.id, kind: "deleted" });
  // Listeners see "deleted" first; the stream itself goes a little later.
  setTimeout(() => void deleteRoomEvents(redis, room.id).catch(() => undefined), 30_000).unref();
  return new Response(null, { status: 204 });
});
