import { createHash, randomBytes } from "node:crypto";
import type { Database } from "../db/client";
import { ApiError } from "../http/errors";
import { isUuid } from "../http/ids";
import { lockRoom } from "./caps";
import type { GrantableRole, RoomRole } from "./roles";
import { admitMember, touch } from "./rooms";

/**
 * Share links: `/join#<token>`. The token is `samr_` + 32 random bytes; only
 * its SHA-256 is stored, so the link is shown once, when it is made. The token
 * travels in the URL's fragment, which browsers never send to a server, and
 * reaches the API in a POST body: it stays out of access logs. Every link
 * expires (SAM_SHARE_LINK_DAYS unless its maker chose), and an expired link is
 * refused exactly like a revoked one. A room has at most
 * SAM_MAX_SHARE_LINKS_PER_ROOM links that still work, and a link admits
 * nobody once the room is full (caps.ts).
 */
const DAY_MS = 24 * 3600 * 1000;
const PREFIX = "samr_";
const TOKEN_PATTERN = /^samr_[A-Za-z0-9_-]{43}$/;
const hash = (token: string) => createHash("sha256").update(token).digest("hex");

export interface ShareLinkView {
  id: string;
  role: GrantableRole;
  createdAt: Date;
  expiresAt: Date;
}

export async function createShareLink(
  db: Database,
  roomId: string,
  role: GrantableRole,
  createdById: string,
  days: number,
  maxActive = Infinity,
): Promise<ShareLinkView & { token: string }> {
  const token = PREFIX + randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + days * DAY_MS);
  const link = await db.$transaction(async (tx) => {
    await lockRoom(tx, roomId);
    const active = await tx.shareLink.count({ where: { roomId, revokedAt: null, expiresAt: { gt: new Date() } } });
    if (active >= maxActive) {
      throw new ApiError(
        409,
        "too_many_share_links",
        `This room has ${active} share links that still work, the most allowed; revoke one you no longer need, then make a new one.`,
      );
    }
    return tx.shareLink.create({ data: { roomId, role, createdById, tokenHash: hash(token), expiresAt } });
  });
  return { id: link.id, role, createdAt: link.createdAt, expiresAt: link.expiresAt, token };
}

export async function listShareLinks(db: Database, roomId: string): Promise<ShareLinkView[]> {
  const links = await db.shareLink.findMany({
    where: { roomId, revokedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
  });
  return links.map((l) => ({ id: l.id, role: l.role, createdAt: l.createdAt, expiresAt: l.expiresAt }));
}

export async function revokeShareLink(db: Database, roomId: string, linkId: string): Promise<void> {
  const revoked = isUuid(linkId)
    ? await db.shareLink.updateMany({ where: { id: linkId, roomId, revokedAt: null }, data: { revokedAt: new Date() } })
    : { count: 0 };
  if (revoked.count === 0) throw new ApiError(404, "link_not_found", `No active share link ${linkId} exists in this room.`);
}

/** What a share link's holder may learn before joining: the room's name, the role, who made the link (null once that account is gone). */
export interface ShareLinkPreview {
  room: { name: string };
  role: GrantableRole;
  sharedBy: string | null;
}

const invalidLink = () => new ApiError(404, "link_invalid", "This share link is unknown, expired or was revoked; ask the room's owner for a new one.");

/** The working link this token names; 404 link_invalid for anything else (unknown, expired and revoked alike). */
async function workingLink(db: Database, token: string) {
  if (!TOKEN_PATTERN.test(token)) throw invalidLink();
  const link = await db.shareLink.findUnique({ where: { tokenHash: hash(token) } });
  if (!link || link.revokedAt || link.expiresAt.getTime() <= Date.now()) throw invalidLink();
  return link;
}

/**
 * What the invitation page shows someone holding the link, signed in or not.
 * The token is the credential (it would make them a member anyway), and this
 * says less than joining would: no room id, members, files or dates.
 */
export async function previewShareLink(db: Database, token: string): Promise<ShareLinkPreview> {
  const link = await workingLink(db, token);
  const [room, maker] = await Promise.all([
    db.room.findUnique({ where: { id: link.roomId }, select: { name: true } }),
    db.user.findUnique({ where: { id: link.createdById }, select: { username: true } }),
  ]);
  if (!room) throw invalidLink();
  return { room: { name: room.name }, role: link.role, sharedBy: maker?.username ?? null };
}

/**
 * Makes the user a member with the link's role. Someone who is already a
 * member keeps the higher of the two roles (a viewer link never demotes an
 * editor, and the owner stays the owner). 409 room_full when the room has no
 * place left for a newcomer.
 */
export async function joinByToken(db: Database, token: string, userId: string, maxMembers = Infinity): Promise<{ roomId: string; role: RoomRole }> {
  const link = await workingLink(db, token);
  // Under the room's lock, so opening the link twice at once makes one membership.
  const role = await db.$transaction((tx) => admitMember(tx, link.roomId, userId, link.role, maxMembers));
  await touch(db, link.roomId);
  return { roomId: link.roomId, role };
}
