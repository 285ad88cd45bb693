import type { Config } from "../config/env";
import type { Database } from "../db/client";
import { ApiError } from "../http/errors";

/**
 * What one user or one room may hold, so no account can grow the database,
 * a workspace page or another person's room list without bound:
 *  - rooms one user owns (SAM_MAX_ROOMS_PER_USER);
 *  - a room's members, the owner and pending invitations included
 *    (SAM_MAX_ROOM_MEMBERS): invitations hold a place until they are
 *    accepted, declined, withdrawn or expire;
 *  - a room's share links that still work (SAM_MAX_SHARE_LINKS_PER_ROOM).
 * Each count and the insert it guards run in one transaction under an
 * advisory lock (per owner, or per room), so parallel requests cannot all
 * squeeze past a cap.
 */
export interface RoomCaps {
  roomsPerUser: number;
  membersPerRoom: number;
  shareLinksPerRoom: number;
  /** Days an invitation by username waits for its answer. */
  invitationDays: number;
}

export function roomCaps(
  config: Pick<Config, "SAM_MAX_ROOMS_PER_USER" | "SAM_MAX_ROOM_MEMBERS" | "SAM_MAX_SHARE_LINKS_PER_ROOM" | "SAM_ROOM_INVITATION_DAYS">,
): RoomCaps {
  return {
    roomsPerUser: config.SAM_MAX_ROOMS_PER_USER,
    membersPerRoom: config.SAM_MAX_ROOM_MEMBERS,
    shareLinksPerRoom: config.SAM_MAX_SHARE_LINKS_PER_ROOM,
    invitationDays: config.SAM_ROOM_INVITATION_DAYS,
  };
}

/** Prisma's client inside a transaction. */
export type Tx = Parameters<Parameters<Database["$transaction"]>[0]>[0];

/** Serializes changes to one room's members, invitations and links until the transaction ends. */
export async function lockRoom(tx: Tx, roomId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(hashtext(${`sam:room:${roomId}`}))`;
}

/** Serializes room creation by one owner until the transaction ends. */
export async function lockOwner(tx: Tx, userId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(hashtext(${`sam:rooms-owned:${userId}`}))`;
}

/** Members plus invitations still waiting for an answer: the places a room has given out. */
export async function placesTaken(tx: Tx, roomId: string): Promise<number> {
  const [members, invited] = await Promise.all([
    tx.roomMember.count({ where: { roomId } }),
    tx.roomInvitation.count({ where: { roomId, declinedAt: null, expiresAt: { gt: new Date() } } }),
  ]);
  return members + invited;
}

export function roomFull(cap: number, asOwner: boolean): ApiError {
  return new ApiError(
    409,
    "room_full",
    asOwner
      ? `This room has ${cap} members and pending invitations, the most a room may have; remove a member or withdraw an invitation first.`
      : `This room is full (${cap} members and pending invitations); ask its owner to make room.`,
  );
}
