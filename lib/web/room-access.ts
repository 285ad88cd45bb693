import { requireRoomAccess, type RoomAccess } from "../rooms/access";
import type { RoomAction } from "../rooms/roles";
import { requireCaller, type ApiCaller } from "./caller";
import { web } from "./context";

/**
 * The start of every room route: who is calling (401 otherwise) and the
 * room, if they may do `action` in it (404 for non-members, as for a room
 * that does not exist; 403 naming what their role lacks).
 */
export async function roomForCaller(request: Request, roomId: string, action: RoomAction): Promise<RoomAccess & { caller: ApiCaller }> {
  const caller = await requireCaller(request);
  return { caller, ...(await requireRoomAccess(web().db, roomId, caller.user.id, action)) };
}
