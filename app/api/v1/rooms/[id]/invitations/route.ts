import { listSentInvitations } from "@/lib/rooms/invitations";
import { web } from "@/lib/web/context";
import { roomForCaller } from "@/lib/web/room-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/** GET /api/v1/rooms/:id/invitations -> {invitations: [{id, roomId, userId, username, role, status, createdAt, expiresAt}]}: those still waiting for an answer (owner only). */
export const GET = route(async (request: Request, { params }: Params) => {
  const { room } = await roomForCaller(request, (await params).id, "manage");
  return Response.json({ invitations: await listSentInvitations(web().db, room.id) }, { headers: { "cache-control": "no-store" } });
});
