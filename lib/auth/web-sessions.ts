import type { Database } from "../db/client";
import { isUuid } from "../http/ids";

/**
 * Browser sign-ins as server-side records. next-auth keeps a session in a
 * signed JWT cookie, which on its own stays valid until it expires whatever
 * happens on the server: signing out only asked the browser to forget it, so a
 * copy of the cookie kept working for 30 days. Now each sign-in stores a
 * WebSession and the JWT carries its id (`sid`); every request checks the
 * record, signing out deletes it, and "sign out everywhere" deletes all of a
 * user's (and their API tokens).
 */
export const SESSION_DAYS = 30;
const DAY_MS = 24 * 3600 * 1000;

/** A new sign-in for `userId`; the user's expired ones are cleared on the way. */
export async function startWebSession(db: Database, userId: string): Promise<string> {
  const session = await db.webSession.create({ data: { userId, expiresAt: new Date(Date.now() + SESSION_DAYS * DAY_MS) } });
  await db.webSession.deleteMany({ where: { userId, expiresAt: { lt: new Date() } } });
  return session.id;
}

/** The signed-in user of session `sid`, if it still exists, has not expired, and belongs to `userId`. */
export async function webSessionUser(db: Database, sid: unknown, userId: unknown): Promise<{ id: string; username: string } | undefined> {
  if (typeof sid !== "string" || !isUuid(sid) || typeof userId !== "string") return undefined;
  const session = await db.webSession.findUnique({ where: { id: sid }, include: { user: { select: { id: true, username: true } } } });
  if (!session || session.userId !== userId || session.expiresAt.getTime() <= Date.now()) return undefined;
  return session.user;
}

/** Signing out: this sign-in ends (a copy of its cookie stops working). */
export async function endWebSession(db: Database, sid: unknown): Promise<void> {
  if (typeof sid === "string" && isUuid(sid)) await db.webSession.deleteMany({ where: { id: sid } });
}

/** Signing out everywhere: every sign-in of the user ends, and every API token of theirs is revoked. */
export async function endEverySession(db: Database, userId: string): Promise<void> {
  await db.$transaction([db.webSession.deleteMany({ where: { userId } }), db.apiToken.deleteMany({ where: { userId } })]);
}
