import { readJson } from "@/lib/http/errors";
import { appendRoomEvent } from "@/lib/rooms/events";
import { inviteSchema } from "@/lib/rooms/requests";
import { inviteMember, listMembers } from "@/lib/rooms/rooms";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { roomForCaller } from "@/lib/web/room-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/** GET /api/v1/rooms/:id/members -> {members: [{userId, username, role, joinedAt}]} (any member). */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const { caller, room } = await roomForCaller(request, (await params).id, "read");
  return Response.json({ members: await listMembers(db, room.id) }, { headers: { "cache-control": "no-store" } });
});

/** POST /api/v1/rooms/:id/members {username, role: viewer|editor} -> 201 the new member (owner only). */
export const POST = route(async (request: Request, { params }: Params) => {
  const { db, redis } = web();
  const { caller, room } = await roomForCaller(request, (await params).id, "manage");
  const body = await readJson(request, inviteSchema);
  const member = await inviteMember(db, room.id, body.username, body.role);
  await appendRoomEvent(redis, room.id, "members", { change: "added", userId: member.userId });
  return Response.json(member, { status: 201, headers: { "cache-control": "no-store" } });
});
