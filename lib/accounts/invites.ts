import { createHash, randomBytes } from "node:crypto";
import type { Database } from "../db/client";
import { ApiError } from "../http/errors";
import { isUuid } from "../http/ids";

/**
 * One-time invitations to create an account (SAM_REGISTRATION=invite or
 * closed): `sami_` + 32 random bytes, shown once as `/signup#invite=<token>`
 * (a fragment, so it stays out of server logs); only the SHA-256 is kept.
 * Users make them in invite mode; the host makes them with `npm run invite`
 * (no creator), which is how a closed instance gets its first accounts.
 */
const PREFIX = "sami_";
const TOKEN_PATTERN = /^sami_[A-Za-z0-9_-]{43}$/;
const DAY_MS = 24 * 3600 * 1000;
/** Unused, unexpired invites one user may hold at once: enough to invite a class, not to mint accounts in bulk. */
export const MAX_ACTIVE_INVITES_PER_USER = 10;

const hash = (token: string) => createHash("sha256").update(token).digest("hex");

export interface InviteView {
  id: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  usedBy: string | null;
}

export function inviteUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/signup#invite=${token}`;
}

/** A new invite; `createdById` null means the host made it. */
export async function createInvite(db: Database, createdById: string | null, days: number): Promise<InviteView & { token: string }> {
  const token = PREFIX + randomBytes(32).toString("base64url");
  // Counted and made under a lock per user: a parallel burst cannot pass the cap.
  const invite = await db.$transaction(async (tx) => {
    if (createdById) {
      await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(hashtext(${`sam:invites:${createdById}`}))`;
      const active = await tx.invite.count({ where: { createdById, usedAt: null, expiresAt: { gt: new Date() } } });
      if (active >= MAX_ACTIVE_INVITES_PER_USER) {
        throw new ApiError(
          409,
          "too_many_invites",
          `You have ${active} unused invites; revoke one (DELETE /api/v1/invites/:id) or wait until one is used or expires.`,
        );
      }
    }
    return tx.invite.create({ data: { tokenHash: hash(token), createdById, expiresAt: new Date(Date.now() + days * DAY_MS) } });
  });
  return { id: invite.id, createdAt: invite.createdAt, expiresAt: invite.expiresAt, usedAt: null, usedBy: null, token };
}

/** The user's invites, newest first: unused ones that still work, and the ones people signed up with. */
export async function listInvites(db: Database, userId: string): Promise<InviteView[]> {
  const invites = await db.invite.findMany({
    where: { createdById: userId, OR: [{ usedAt: { not: null } }, { expiresAt: { gt: new Date() } }] },
    include: { usedBy: { select: { username: true } } },
    orderBy: { createdAt: "desc" },
    take: 50,
  });
  return invites.map((i) => ({ id: i.id, createdAt: i.createdAt, expiresAt: i.expiresAt, usedAt: i.usedAt, usedBy: i.usedBy?.username ?? null }));
}

export async function revokeInvite(db: Database, userId: string, inviteId: string): Promise<void> {
  const removed = isUuid(inviteId) ? await db.invite.deleteMany({ where: { id: inviteId, createdById: userId, usedAt: null } }) : { count: 0 };
  if (removed.count === 0) throw new ApiError(404, "invite_not_found", `You have no unused invite ${inviteId}.`);
}

export const inviteInvalid = () => new ApiError(403, "invite_invalid", "This invite is unknown, already used or expired; ask for a new invite link.");

/**
 * The id of the invite behind `token` if it can still be used; `hostOnly`
 * (closed registration) accepts only invites the host made.
 */
export async function usableInvite(db: Database, token: string, hostOnly: boolean): Promise<string> {
  if (!TOKEN_PATTERN.test(token)) throw inviteInvalid();
  const invite = await db.invite.findUnique({ where: { tokenHash: hash(token) } });
  if (!invite || invite.usedAt || invite.expiresAt.getTime() <= Date.now() || (hostOnly && invite.createdById)) throw inviteInvalid();
  return invite.id;
}

/** Marks the invite used by `userId`, once: a second use (even a concurrent one) finds it taken. Run inside the transaction that creates the user. */
export async function spendInvite(db: Pick<Database, "invite">, inviteId: string, userId: string): Promise<void> {
  const spent = await db.invite.updateMany({
    where: { id: inviteId, usedAt: null, expiresAt: { gt: new Date() } },
    data: { usedAt: new Date(), usedById: userId },
  });
  if (spent.count !== 1) throw inviteInvalid();
}
