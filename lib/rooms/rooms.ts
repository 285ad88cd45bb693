import type { Database } from "../db/client";
import { ApiError } from "../http/errors";
import { isUuid } from "../http/ids";
import type { Runtime } from "../executions/runtimes";
import { usernameKey } from "../accounts/credentials";
import { templateDocument } from "./document";
import type { GrantableRole, RoomRole } from "./roles";

/**
 * Rooms and their members: the database side. Every function here assumes
 * the caller's right to act was already checked (see access.ts); they keep
 * the invariants: a room has exactly one owner, the owner's role is never
 * changed or removed through these, and a room always has a stored document.
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

export async function createRoom(db: Database, ownerId: string, name: string, runtime: Runtime): Promise<RoomSummary> {
  if (!runtime.template?.files.length) throw new ApiError(503, "no_template", `No template is available for ${runtime.language} right now; try again shortly.`);
  const room = await db.room.create({
    data: {
      name,
      language: runtime.language,
      members: { create: { userId: ownerId, role: "owner" } },
      document: { create: { state: Buffer.from(templateDocument(runtime.template.files)) } },
    },
  });
  return { ...room, role: "owner", members: 1 };
}

export async function listRooms(db: Database, userId: string): Promise<RoomSummary[]> {
  const memberships = await db.roomMember.findMany({
    where: { userId },
    include: { room: { include: { _count: { select: { members: true } } } } },
    orderBy: { room: { updatedAt: "desc" } },
  });
  return memberships.map(({ room, role }) => ({
    id: room.id,
    name: room.name,
    language: room.language,
    role: role as RoomRole,
    members: room._count.members,
    createdAt: room.createdAt,
    updatedAt: room.updatedAt,
  }));
}

export async function listMembers(db: Database, roomId: string): Promise<MemberView[]> {
  const members = await db.roomMember.findMany({ where: { roomId }, include: { user: true }, orderBy: { createdAt: "asc" } });
  return members.map((m) => ({ userId: m.userId, username: m.user.username, role: m.role as RoomRole, joinedAt: m.createdAt }));
}

export async function inviteMember(db: Database, roomId: string, username: string, role: GrantableRole): Promise<MemberView> {
  const user = await db.user.findUnique({ where: { usernameKey: usernameKey(username) } });
  if (!user) throw new ApiError(404, "user_not_found", `No user is named "${username}"; check the spelling (they must have signed up).`);
  const existing = await db.roomMember.findUnique({ where: { roomId_userId: { roomId, userId: user.id } } });
  if (existing) throw new ApiError(409, "already_member", `${user.username} is already a member (${existing.role}); change their role instead.`);
  const member = await db.roomMember.create({ data: { roomId, userId: user.id, role } });
  await touch(db, roomId);
  return { userId: user.id, username: user.username, role, joinedAt: member.createdAt };
}

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

/** Marks the room as just used (the rooms list is sorted by it). */
export async function touch(db: Database, roomId: string): Promise<void> {
  await db.room.update({ where: { id: roomId }, data: { updatedAt: new Date() } });
}
