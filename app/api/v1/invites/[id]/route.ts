import { revokeInvite } from "@/lib/accounts/invites";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/** DELETE /api/v1/invites/:id -> 204: the caller's unused invite stops working; 404 invite_not_found otherwise. */
export const DELETE = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const caller = await requireCaller(request);
  await revokeInvite(db, caller.user.id, (await params).id);
  return new Response(null, { status: 204 });
});
