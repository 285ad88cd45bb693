import { declineInvitations, listReceivedInvitations } from "@/lib/rooms/invitations";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

/**
 * GET /api/v1/me/room-invitations -> {invitations: [{id, room: {id, name, language}, invitedBy: {id, username}, role,
 * createdAt, expiresAt}], total}: invitations to rooms waiting for the caller's answer, newest first (at most 50; total counts all).
 */
export const GET = route(async (request: Request) => {
  const caller = await requireCaller(request);
  return Response.json(await listReceivedInvitations(web().db, caller.user.id), { headers: { "cache-control": "no-store" } });
});

/** DELETE /api/v1/me/room-invitations -> 204: declines every pending invitation. */
export const DELETE = route(async (request: Request) => {
  const caller = await requireCaller(request);
  await declineInvitations(web().db, web().redis, caller.user.id);
  return new Response(null, { status: 204 });
});
