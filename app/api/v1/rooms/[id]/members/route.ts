import { readJson } from "@/lib/http/errors";
import { requireRoomAccess } from "@/lib/rooms/access";
import { appendRoomEvent } from "@/lib/rooms/events";
import { inviteSchema, MAX_BODY_BYTES } from "@/lib/rooms/requests";
import { inviteMember, listMembers } from "@/lib/rooms/rooms";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/** GET /api/v1/rooms/:id/members -> {members: [{userId, username, role, joinedAt}]} (any member). */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const caller = await requireCaller(request);
  const { room } = await requireRoomAccess(db, (await params).id, caller.user.id, "read");
  return Response.json({ members: await listMembers(db, room.id) }, { headers: { "cache-control": "no-store" } });
});

/** POST /api/v1/rooms/:id/members {username, role: viewer|editor} -> 201 the new member (owner only). */
export const POST = route(async (request: Request, { params }: Params) => {
  const { db, redis } = web();
  const caller = await requireCaller(request);
  const { room } = await requireRoomAccess(db, (await params).id, caller.user.id, "manage");
  const body = await readJson(request, inviteSchema, MAX_BODY_BYTES);
  const member = await inviteMember(db, room.id, body.username, body.role);
  await appendRoomEvent(redis, room.id, "members", { change: "added", userId: member.userId });
  return Response.json(member, { status: 201, headers: { "cache-control": "no-store" } });
});
