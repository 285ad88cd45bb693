import { withdrawInvitation } from "@/lib/rooms/invitations";
import { web } from "@/lib/web/context";
import { roomForCaller } from "@/lib/web/room-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string; invitationId: string }> };

/** DELETE /api/v1/rooms/:id/invitations/:invitationId -> 204 (owner only): the invitation is withdrawn; 404 invitation_not_found. */
export const DELETE = route(async (request: Request, { params }: Params) => {
  const { id, invitationId } = await params;
  const { room } = await roomForCaller(request, id, "manage");
  await withdrawInvitation(web().db, room.id, invitationId);
  return new Response(null, { status: 204 });
});
