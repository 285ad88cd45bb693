import { roomCaps } from "@/lib/rooms/caps";
import { appendRoomEvent } from "@/lib/rooms/events";
import { acceptInvitation } from "@/lib/rooms/invitations";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * POST /api/v1/me/room-invitations/:id/accept -> 200 {roomId, role}: the caller is now a member of the room
 * (a higher role they had is kept). 404 invitation_not_found (unknown, expired, withdrawn, not theirs), 409 room_full.
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { db, redis, config } = web();
  const caller = await requireCaller(request);
  const joined = await acceptInvitation(db, caller.user.id, (await params).id, roomCaps(config).membersPerRoom);
  await appendRoomEvent(redis, joined.roomId, "members", { change: "joined", userId: caller.user.id });
  return Response.json(joined, { headers: { "cache-control": "no-store" } });
});
