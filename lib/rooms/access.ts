import type { Database } from "../db/client";
import { ApiError } from "../http/errors";
import { isUuid } from "../http/ids";
import { workspaceRole } from "../classroom/workspaces/workspace";
import { can, isRole, type RoomAction, type RoomRole } from "./roles";

export interface RoomAccess {
  room: { id: string; name: string; language: string; createdAt: Date; updatedAt: Date };
  role: RoomRole;
}

const ACTION_WORDS: Record<RoomAction, string> = {
  read: "open this room",
  edit: "edit this room's files",
  run: "run, stop or type into this room's programs",
  manage: "manage this room (members, share links, name, deletion)",
};

/**
 * The caller's role in the room, or undefined when they are not a member (or
 * there is no such room). A student's assignment workspace has no members:
 * its roles come from the course (lib/classroom/workspaces/workspace.ts).
 */
export async function roomRole(db: Database, roomId: string, userId: string): Promise<RoomAccess | undefined> {
  if (!isUuid(roomId)) return undefined;
  const member = await db.roomMember.findUnique({ where: { roomId_userId: { roomId, userId } }, include: { room: true } });
  if (member && isRole(member.role)) return { room: member.room, role: member.role };
  const role = await workspaceRole(db, roomId, userId);
  if (!role) return undefined;
  const room = await db.room.findUnique({ where: { id: roomId } });
  return room ? { room, role } : undefined;
}

/**
 * The room, if the user may do `action` in it. A non-member gets 404 exactly
 * as for a room that does not exist (a room's existence is not revealed); a
 * member whose role does not allow the action gets 403 naming what is missing.
 */
export async function requireRoomAccess(db: Database, roomId: string, userId: string, action: RoomAction): Promise<RoomAccess> {
  const access = await roomRole(db, roomId, userId);
  if (!access) throw new ApiError(404, "not_found", `No room ${roomId} of yours exists.`);
  if (!can(access.role, action)) {
    throw new ApiError(
      403,
      "forbidden",
      `As ${access.role === "viewer" ? "a viewer" : `an ${access.role}`} you cannot ${ACTION_WORDS[action]}; ask the room's owner for a different role.`,
    );
  }
  return access;
}
