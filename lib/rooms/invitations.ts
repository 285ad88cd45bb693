import type { Redis } from "ioredis";
import type { Database } from "../db/client";
import { ApiError } from "../http/errors";
import { isUuid } from "../http/ids";
import { usernameKey } from "../accounts/credentials";
import { lockRoom, placesTaken, roomFull, type RoomCaps } from "./caps";
import type { GrantableRole, RoomRole } from "./roles";
import { admitMember, touch } from "./rooms";

/**
 * Invitations to a room by username. The owner names someone; they become a
 * member only when they accept (workspace page, or the API), so nobody can be
 * put into rooms against their will or have their room list filled by
 * strangers. An invitation holds a place in the room (see caps.ts) until it
 * is accepted, declined, withdrawn, or expires (SAM_ROOM_INVITATION_DAYS).
 * A classroom works either way: the teacher invites each student by name and
 * they accept, or the teacher hands out one share link. A declined invitation
 * is kept until it would have expired: the room cannot invite the same person
 * again meanwhile, so a stranger cannot keep putting it back in their list;
 * and whoever had DECLINES_BEFORE_BLOCK invitations declined by one person
 * may not invite them to any room for a while (deleting a room and making it
 * again is no new start).
 */
const DAY_MS = 24 * 3600 * 1000;
/** The most of one's own pending invitations a list shows (newest first); the rest wait until these are answered or expire. */
export const INVITATIONS_SHOWN = 50;
/** Declines by one person of one inviter's invitations (to any rooms) after which the inviter may not invite them for a while. */
export const DECLINES_BEFORE_BLOCK = 3;
const declinesKey = (inviterId: string, inviteeId: string) => `sam:invitations-declined:${inviterId}:${inviteeId}`;

export interface SentInvitationView {
  id: string;
  roomId: string;
  userId: string;
  username: string;
  role: GrantableRole;
  status: "invited";
  createdAt: Date;
  expiresAt: Date;
}

export interface ReceivedInvitationView {
  id: string;
  room: { id: string; name: string; language: string };
  invitedBy: { id: string; username: string };
  role: GrantableRole;
  createdAt: Date;
  expiresAt: Date;
}

const notFound = (id: string) =>
  new ApiError(404, "invitation_not_found", `No pending invitation ${id} is yours; it may have expired, been withdrawn or already answered.`);

/**
 * Invites `username` to the room with `role` (the owner's action). Inviting
 * again someone who is already invited renews the invitation with the new
 * role. 404 user_not_found, 409 already_member, 409 room_full,
 * 409 invitation_declined.
 */
export async function inviteToRoom(
  db: Database,
  redis: Redis,
  roomId: string,
  invitedById: string,
  username: string,
  role: GrantableRole,
  caps: Pick<RoomCaps, "membersPerRoom" | "invitationDays">,
): Promise<SentInvitationView> {
  const user = await db.user.findUnique({ where: { usernameKey: usernameKey(username) } });
  if (!user) throw new ApiError(404, "user_not_found", `No user is named "${username}"; check the spelling (they must have signed up).`);
  const declines = await redis.multi().get(declinesKey(invitedById, user.id)).pttl(declinesKey(invitedById, user.id)).exec();
  if (Number(declines?.[0]?.[1] ?? 0) >= DECLINES_BEFORE_BLOCK) {
    const until = new Date(Date.now() + Math.max(0, Number(declines?.[1]?.[1] ?? 0)));
    throw new ApiError(
      409,
      "invitation_declined",
      `${user.username} declined ${DECLINES_BEFORE_BLOCK} of your invitations; you may invite them again after ${until.toISOString()}, or give them a share link to open if they want to join.`,
    );
  }
  const expiresAt = new Date(Date.now() + caps.invitationDays * DAY_MS);
  const invitation = await db.$transaction(async (tx) => {
    await lockRoom(tx, roomId);
    const member = await tx.roomMember.findUnique({ where: { roomId_userId: { roomId, userId: user.id } } });
    if (member) throw new ApiError(409, "already_member", `${user.username} is already a member (${member.role}); change their role instead.`);
    await tx.roomInvitation.deleteMany({ where: { roomId, expiresAt: { lte: new Date() } } });
    const renewing = await tx.roomInvitation.findUnique({ where: { roomId_userId: { roomId, userId: user.id } } });
    if (renewing?.declinedAt) {
      throw new ApiError(
        409,
        "invitation_declined",
        `${user.username} declined an invitation to this room; you may invite them again after ${renewing.expiresAt.toISOString()}, or give them a share link to open if they want to join.`,
      );
    }
    if (!renewing && (await placesTaken(tx, roomId)) >= caps.membersPerRoom) throw roomFull(caps.membersPerRoom, true);
    return tx.roomInvitation.upsert({
      where: { roomId_userId: { roomId, userId: user.id } },
      create: { roomId, userId: user.id, invitedById, role, expiresAt },
      update: { invitedById, role, expiresAt, createdAt: new Date() },
    });
  });
  return {
    id: invitation.id,
    roomId,
    userId: user.id,
    username: user.username,
    role,
    status: "invited",
    createdAt: invitation.createdAt,
    expiresAt: invitation.expiresAt,
  };
}

/** The room's invitations still waiting for an answer (the owner's view). */
export async function listSentInvitations(db: Database, roomId: string): Promise<SentInvitationView[]> {
  const rows = await db.roomInvitation.findMany({
    where: { roomId, declinedAt: null, expiresAt: { gt: new Date() } },
    include: { user: { select: { username: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((r) => ({
    id: r.id,
    roomId,
    userId: r.userId,
    username: r.user.username,
    role: r.role,
    status: "invited",
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
  }));
}

/** The owner takes an invitation back; 404 invitation_not_found when it is not pending in this room. */
export async function withdrawInvitation(db: Database, roomId: string, invitationId: string): Promise<void> {
  const removed = isUuid(invitationId) ? await db.roomInvitation.deleteMany({ where: { id: invitationId, roomId, declinedAt: null } }) : { count: 0 };
  if (removed.count === 0) throw notFound(invitationId);
}

/** The user's pending invitations, newest first (at most INVITATIONS_SHOWN), and how many there are in all. */
export async function listReceivedInvitations(db: Database, userId: string): Promise<{ invitations: ReceivedInvitationView[]; total: number }> {
  const where = { userId, declinedAt: null, expiresAt: { gt: new Date() } };
  const [rows, total] = await Promise.all([
    db.roomInvitation.findMany({
      where,
      include: { room: { select: { id: true, name: true, language: true } }, invitedBy: { select: { id: true, username: true } } },
      orderBy: { createdAt: "desc" },
      take: INVITATIONS_SHOWN,
    }),
    db.roomInvitation.count({ where }),
  ]);
  return {
    total,
    invitations: rows.map((r) => ({ id: r.id, room: r.room, invitedBy: r.invitedBy, role: r.role, createdAt: r.createdAt, expiresAt: r.expiresAt })),
  };
}

/** The invitee accepts: they become a member (a higher role they had is kept). 404 invitation_not_found, 409 room_full. */
export async function acceptInvitation(db: Database, userId: string, invitationId: string, maxMembers: number): Promise<{ roomId: string; role: RoomRole }> {
  if (!isUuid(invitationId)) throw notFound(invitationId);
  const joined = await db.$transaction(async (tx) => {
    const pending = await tx.roomInvitation.findFirst({ where: { id: invitationId, userId, declinedAt: null } });
    if (!pending) throw notFound(invitationId);
    await lockRoom(tx, pending.roomId);
    // Deleted first: its place becomes theirs. Gone meanwhile (withdrawn, answered twice at once): not found.
    const taken = await tx.roomInvitation.deleteMany({ where: { id: invitationId, userId, declinedAt: null, expiresAt: { gt: new Date() } } });
    if (taken.count === 0) throw notFound(invitationId);
    const role = await admitMember(tx, pending.roomId, userId, pending.role, maxMembers);
    return { roomId: pending.roomId, role };
  });
  await touch(db, joined.roomId);
  return joined;
}

/**
 * The invitee declines one invitation, or every pending one (`invitationId`
 * undefined); returns how many. Each is kept, declined, until it expires (see
 * above); it no longer holds a place in the room.
 */
export async function declineInvitations(db: Database, redis: Redis, userId: string, invitationId?: string): Promise<number> {
  if (invitationId !== undefined && !isUuid(invitationId)) throw notFound(invitationId);
  const where = { userId, declinedAt: null, ...(invitationId === undefined ? {} : { id: invitationId }) };
  const answered = await db.roomInvitation.updateManyAndReturn({ where, data: { declinedAt: new Date() }, select: { invitedById: true, expiresAt: true } });
  if (invitationId !== undefined && answered.length === 0) throw notFound(invitationId);
  // Remembered apart from the rooms (they may be deleted), for as long as the invitations would have lasted.
  const memory = redis.multi();
  for (const { invitedById, expiresAt } of answered) {
    const key = declinesKey(invitedById, userId);
    const lasts = Math.max(1000, expiresAt.getTime() - Date.now());
    memory.incr(key);
    // The longest of the declined invitations' remaining lives: declining an old one last never shortens it.
    memory.pexpire(key, lasts, "NX");
    memory.pexpire(key, lasts, "GT");
  }
  if (answered.length > 0) await memory.exec();
  return answered.length;
}
