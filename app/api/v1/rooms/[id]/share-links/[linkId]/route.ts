import { revokeShareLink } from "@/lib/rooms/share-links";
import { web } from "@/lib/web/context";
import { roomForCaller } from "@/lib/web/room-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string; linkId: string }> };

/** DELETE /api/v1/rooms/:id/share-links/:linkId -> 204 (owner only): the link stops working; members who joined by it stay. */
export const DELETE = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const { id, linkId } = await params;
  const { room } = await roomForCaller(request, id, "manage");
  await revokeShareLink(db, room.id, linkId);
  return new Response(null, { status: 204 });
});
