import { readJson } from "@/lib/http/errors";
import { roomCaps } from "@/lib/rooms/caps";
import { inviteToRoom } from "@/lib/rooms/invitations";
import { inviteSchema } from "@/lib/rooms/requests";
import { listMembers } from "@/lib/rooms/rooms";
import { web } from "@/lib/web/context";
import { roomForCaller } from "@/lib/web/room-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/** GET /api/v1/rooms/:id/members -> {members: [{userId, username, role, joinedAt}]} (any member). */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const { room } = await roomForCaller(request, (await params).id, "read");
  return Response.json({ members: await listMembers(db, room.id) }, { headers: { "cache-control": "no-store" } });
});

/**
 * POST /api/v1/rooms/:id/members {username, role: viewer|editor} -> 201 {id, roomId, userId, username, role,
 * status: "invited", createdAt, expiresAt} (owner only): an invitation, which makes them a member once they
 * accept it (POST /api/v1/me/room-invitations/:id/accept). Inviting someone already invited renews it.
 * 404 user_not_found, 409 already_member, 409 room_full.
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { db, redis, config } = web();
  const { caller, room } = await roomForCaller(request, (await params).id, "manage");
  const body = await readJson(request, inviteSchema);
  const invitation = await inviteToRoom(db, redis, room.id, caller.user.id, body.username, body.role, roomCaps(config));
  return Response.json(invitation, { status: 201, headers: { "cache-control": "no-store" } });
});
