import { readJson } from "@/lib/http/errors";
import { appendRoomEvent } from "@/lib/rooms/events";
import { roomCaps } from "@/lib/rooms/caps";
import { joinSchema } from "@/lib/rooms/requests";
import { joinByToken } from "@/lib/rooms/share-links";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

/** POST /api/v1/share-links/join {token} -> {roomId, role}: the caller is now a member (a higher role they had is kept); 409 room_full when the room has no place left. */
export const POST = route(async (request: Request) => {
  const { db, redis, config } = web();
  const caller = await requireCaller(request);
  const { token } = await readJson(request, joinSchema);
  const joined = await joinByToken(db, token, caller.user.id, roomCaps(config).membersPerRoom);
  await appendRoomEvent(redis, joined.roomId, "members", { change: "joined", userId: caller.user.id });
  return Response.json(joined, { headers: { "cache-control": "no-store" } });
});
