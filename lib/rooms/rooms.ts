import type { Database } from "../db/client";
import { ApiError } from "../http/errors";
import { isUuid } from "../http/ids";
import type { Runtime } from "../executions/runtimes";
import { lockOwner, lockRoom, placesTaken, roomFull, type Tx } from "./caps";
import { templateDocument } from "./document";
import type { GrantableRole, RoomRole } from "./roles";

/**
 * Rooms and their members: the database side. Every function here assumes
 * the caller's right to act was already checked (see access.ts); they keep
 * the invariants: a room has exactly one owner, the owner's role is never
 * changed or removed through these, a room always has a stored document, and
 * the caps of caps.ts hold. People join a room by accepting an invitation
 * (invitations.ts) or by opening a share link (share-links.ts), never because
 * someone else typed their name.
 */
export interface RoomSummary {
  id: string;
  name: string;
  language: string;
  role: RoomRole;
  members: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface MemberView {
  userId: string;
  username: string;
  role: RoomRole;
  joinedAt: Date;
}

/** A new room owned by `ownerId`; 409 too_many_rooms when they already own `maxOwned` (omitted: no cap, for tools such as the bench). */
export async function createRoom(db: Database, ownerId: string, name: string, runtime: Runtime, maxOwned = Infinity): Promise<RoomSummary> {
  if (!runtime.template?.files.length) throw new ApiError(503, "no_template", `No template is available for ${runtime.language} right now; try again shortly.`);
  const state = Buffer.from(templateDocument(runtime.template.files));
  const room = await db.$transaction(async (tx) => {
    if (Number.isFinite(maxOwned)) {
      await lockOwner(tx, ownerId);
      const owned = await tx.roomMember.count({ where: { userId: ownerId, role: "owner" } });
      if (owned >= maxOwned) {
        throw new ApiError(409, "too_many_rooms", `You own ${owned} rooms, the most allowed at once; delete one you no longer need, then try again.`);
      }
    }
    return tx.room.create({
      data: { name, language: runtime.language, members: { create: { userId: ownerId, role: "owner" } }, document: { create: { state } } },
    });
  });
  return { ...room, role: "owner", members: 1 };
}

/** Where a page of the room list starts: after the room last shown (most recently used first). */
export interface RoomCursor {
  updatedAt: Date;
  roomId: string;
}

export function encodeRoomCursor(c: RoomCursor): string {
  return Buffer.from(`${c.updatedAt.getTime()}.${c.roomId}`).toString("base64url");
}

/** The cursor a client sent back, or 400 invalid_cursor. */
export function decodeRoomCursor(text: string): RoomCursor {
  const match = /^(\d{1,15})\.([0-9a-f-]{36})$/.exec(Buffer.from(text, "base64url").toString("latin1"));
  if (!match || !isUuid(match[2]!)) {
    throw new ApiError(
      400,
      "invalid_cursor",
      "cursor is not one this server gave out; pass nextCursor from the previous page as it is, or leave it out for the first page.",
    );
  }
  return { updatedAt: new Date(Number(match[1])), roomId: match[2]! };
}

/** One page of the user's rooms, most recently used first, and where the next page starts (null after the last). */
export async function listRooms(
  db: Database,
  userId: string,
  page: { limit: number; after?: RoomCursor },
): Promise<{ rooms: RoomSummary[]; nextCursor: string | null }> {
  const after = page.after;
  const memberships = await db.roomMember.findMany({
    where: {
      userId,
      ...(after ? { OR: [{ room: { updatedAt: { lt: after.updatedAt } } }, { room: { updatedAt: after.updatedAt }, roomId: { lt: after.roomId } }] } : {}),
    },
    include: { room: { include: { _count: { select: { members: true } } } } },
    orderBy: [{ room: { updatedAt: "desc" } }, { roomId: "desc" }],
    take: page.limit + 1,
  });
  const rooms = memberships.slice(0, page.limit).map(({ room, role }) => ({
    id: room.id,
    name: room.name,
    language: room.language,
    role,
    members: room._count.members,
    createdAt: room.createdAt,
    updatedAt: room.updatedAt,
  }));
  const last = rooms.at(-1);
  return { rooms, nextCursor: memberships.length > page.limit && last ? encodeRoomCursor({ updatedAt: last.updatedAt, roomId: last.id }) : null };
}

/** How many rooms the user belongs to (the workspace says how many it does not show). */
export async function countRooms(db: Database, userId: string): Promise<number> {
  return db.roomMember.count({ where: { userId } });
}

export async function listMembers(db: Database, roomId: string): Promise<MemberView[]> {
  const members = await db.roomMember.findMany({ where: { roomId }, include: { user: true }, orderBy: { createdAt: "asc" } });
  return members.map((m) => ({ userId: m.userId, username: m.user.username, role: m.role, joinedAt: m.createdAt }));
}

/**
 * Makes `userId` a member with `role` (an accepted invitation, an opened
 * share link), inside the caller's transaction. Someone who is already a
 * member keeps the higher of the two roles; a newcomer needs a free place
 * (409 room_full). An accepted invitation is deleted before this, which
 * frees the place it held for its invitee.
 */
export async function admitMember(tx: Tx, roomId: string, userId: string, role: GrantableRole, maxMembers: number): Promise<RoomRole> {
  await lockRoom(tx, roomId);
  const existing = await tx.roomMember.findUnique({ where: { roomId_userId: { roomId, userId } } });
  if (existing) {
    const current = existing.role;
    if (rank(current) >= rank(role)) return current;
    await tx.roomMember.update({ where: { roomId_userId: { roomId, userId } }, data: { role } });
    return role;
  }
  if ((await placesTaken(tx, roomId)) >= maxMembers) throw roomFull(maxMembers, false);
  await tx.roomMember.create({ data: { roomId, userId, role } });
  return role;
}

const rank = (role: RoomRole) => ["viewer", "editor", "owner"].indexOf(role);

/** The member to change or remove: 404 when not a member, 409 for the owner (the owner stays the owner). */
async function otherMember(db: Database, roomId: string, userId: string) {
  const member = isUuid(userId) ? await db.roomMember.findUnique({ where: { roomId_userId: { roomId, userId } }, include: { user: true } }) : null;
  if (!member) throw new ApiError(404, "member_not_found", `User ${userId} is not a member of this room.`);
  if (member.role === "owner") throw new ApiError(409, "owner_fixed", "The owner's role cannot be changed or removed; the owner may delete the room instead.");
  return member;
}

export async function changeRole(db: Database, roomId: string, userId: string, role: GrantableRole): Promise<MemberView> {
  const member = await otherMember(db, roomId, userId);
  await db.roomMember.update({ where: { roomId_userId: { roomId, userId } }, data: { role } });
  return { userId, username: member.user.username, role, joinedAt: member.createdAt };
}

export async function removeMember(db: Database, roomId: string, userId: string): Promise<void> {
  await otherMember(db, roomId, userId);
  await db.roomMember.delete({ where: { roomId_userId: { roomId, userId } } });
}

/** The caller leaves the room. The owner cannot (409 owner_cannot_leave): a room always has its owner, who may delete it instead. */
export async function leaveRoom(db: Database, roomId: string, userId: string, role: RoomRole): Promise<void> {
  if (role === "owner") {
    throw new ApiError(
      409,
      "owner_cannot_leave",
      "You own this room, so you cannot leave it; delete the room instead (DELETE /api/v1/rooms/:id) if nobody needs it.",
    );
  }
  await db.roomMember.deleteMany({ where: { roomId, userId } });
}

/** Marks the room as just used (the rooms list is sorted by it). */
export async function touch(db: Database, roomId: string): Promise<void> {
  await db.room.update({ where: { id: roomId }, data: { updatedAt: new Date() } });
}
