import { declineInvitations } from "@/lib/rooms/invitations";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/** DELETE /api/v1/me/room-invitations/:id -> 204: declines the invitation; 404 invitation_not_found. */
export const DELETE = route(async (request: Request, { params }: Params) => {
  const caller = await requireCaller(request);
  await declineInvitations(web().db, web().redis, caller.user.id, (await params).id);
  return new Response(null, { status: 204 });
});
