import { readJson } from "@/lib/http/errors";
import { announceRoomControl, appendRoomEvent } from "@/lib/rooms/events";
import { requireRoomAccess } from "@/lib/rooms/access";
import { changeRoleSchema } from "@/lib/rooms/requests";
import { changeRole, leaveRoom, removeMember } from "@/lib/rooms/rooms";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { roomForCaller } from "@/lib/web/room-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string; userId: string }> };

/**
 * PATCH /api/v1/rooms/:id/members/:userId {role: viewer|editor} -> the member
 * (owner only). Their open room sockets close and reconnect with the new role.
 */
export const PATCH = route(async (request: Request, { params }: Params) => {
  const { db, redis } = web();
  const { id, userId } = await params;
  const { room } = await roomForCaller(request, id, "manage");
  const { role } = await readJson(request, changeRoleSchema);
  const member = await changeRole(db, room.id, userId, role);
  await appendRoomEvent(redis, room.id, "members", { change: "role", userId, role });
  await announceRoomControl(redis, { roomId: room.id, kind: "members", userId });
  return Response.json(member, { headers: { "cache-control": "no-store" } });
});

/**
 * DELETE /api/v1/rooms/:id/members/:userId -> 204. The owner removes a member;
 * any member removes themselves (`:userId` their own id, or `me`): they leave
 * the room (409 owner_cannot_leave for the owner). Their open sockets close.
 */
export const DELETE = route(async (request: Request, { params }: Params) => {
  const { db, redis } = web();
  const { id, userId: named } = await params;
  const caller = await requireCaller(request);
  const leaving = named === "me" || named === caller.user.id;
  const { room, role } = await requireRoomAccess(db, id, caller.user.id, leaving ? "read" : "manage");
  const userId = leaving ? caller.user.id : named;
  if (leaving) await leaveRoom(db, room.id, userId, role);
  else await removeMember(db, room.id, userId);
  await appendRoomEvent(redis, room.id, "members", { change: leaving ? "left" : "removed", userId });
  await announceRoomControl(redis, { roomId: room.id, kind: "members", userId });
  return new Response(null, { status: 204 });
});
