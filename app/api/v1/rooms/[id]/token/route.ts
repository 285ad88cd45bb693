import { ROOM_TOKEN_TTL_SECONDS, signRoomToken } from "@/lib/rooms/room-token";
import { web } from "@/lib/web/context";
import { roomForCaller } from "@/lib/web/room-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * POST /api/v1/rooms/:id/token -> {token, role, expiresAt}: a short-lived
 * token for the room's socket (`/collab` on this host), naming the caller,
 * the room and their role now. Members only; the socket enforces the role.
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { secret } = web();
  const { caller, room, role } = await roomForCaller(request, (await params).id, "read");
  const token = await signRoomToken(secret, { userId: caller.user.id, username: caller.user.username, roomId: room.id, role });
  const expiresAt = new Date(Date.now() + ROOM_TOKEN_TTL_SECONDS * 1000).toISOString();
  return Response.json({ token, role, expiresAt }, { headers: { "cache-control": "no-store" } });
});
