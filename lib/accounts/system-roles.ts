import type { Logger } from "pino";
import type { Database } from "../db/client";
import type { SystemRole } from "../db/generated/enums";
import { usernameKey } from "./credentials";

/**
 * Roles on the whole server (beside the roles inside a room): `admin` may see
 * the queue and act on dead letters. The role lives only in the database and
 * is read again on every admin request (never kept in a session cookie or a
 * token), so a revoke takes effect on the caller's next request.
 */
export type { SystemRole };
export const SYSTEM_ROLES: readonly SystemRole[] = ["user", "admin"];

/** The account's role as the database holds it now; undefined for an account that no longer exists. */
export async function systemRoleOf(db: Database, userId: string): Promise<SystemRole | undefined> {
  const row = await db.user.findUnique({ where: { id: userId }, select: { systemRole: true } });
  return row?.systemRole;
}

export class UnknownAccountError extends Error {
  constructor(readonly username: string) {
    super(`no account is named "${username}"`);
    this.name = "UnknownAccountError";
  }
}

/** Sets an account's role by its username (any case); true when it changed. Throws UnknownAccountError. */
export async function setSystemRole(db: Database, username: string, role: SystemRole): Promise<boolean> {
  const user = await db.user.findUnique({ where: { usernameKey: usernameKey(username) }, select: { id: true, systemRole: true } });
  if (!user) throw new UnknownAccountError(username);
  if (user.systemRole === role) return false;
  await db.user.update({ where: { id: user.id }, data: { systemRole: role } });
  return true;
}

/**
 * True when SAM_ADMINS names this username (any case). Such a name cannot be
 * taken by a new account, by sign-up or by a sign-in with GitHub: the next
 * start of a web process would make whoever took it an admin (it grants the
 * named accounts that exist then). The host creates the account first, then
 * names it.
 */
export function isConfiguredAdminName(configured: readonly string[], username: string): boolean {
  const key = usernameKey(username);
  return configured.some((name) => usernameKey(name) === key);
}

export async function listAdmins(db: Database): Promise<Array<{ id: string; username: string; createdAt: Date }>> {
  return db.user.findMany({ where: { systemRole: "admin" }, select: { id: true, username: true, createdAt: true }, orderBy: { usernameKey: "asc" } });
}

/**
 * SAM_ADMINS, applied when the web process starts: grants admin to the named
 * accounts that exist. A name matching no account is skipped and logged, and
 * no new account may take it while it is listed (isConfiguredAdminName): the
 * next start would make whoever took it first an admin. Never revokes: a name taken out of the list keeps its role
 * until `npm run admin -- revoke NAME`, so a typo in the setting cannot
 * silently lock every administrator out. Returns what it did.
 */
export async function applyConfiguredAdmins(db: Database, usernames: readonly string[], log: Logger): Promise<{ granted: string[]; missing: string[] }> {
  const granted: string[] = [];
  const missing: string[] = [];
  for (const name of usernames) {
    try {
      if (await setSystemRole(db, name, "admin")) granted.push(name);
    } catch (err) {
      if (!(err instanceof UnknownAccountError)) throw err;
      missing.push(name);
    }
  }
  if (granted.length) log.info({ granted }, "SAM_ADMINS: made these accounts admins");
  if (missing.length)
    log.warn(
      { missing },
      "SAM_ADMINS names accounts that do not exist; no one can sign up under these names while they are listed: take a name out, let its person sign up, then run npm run admin -- grant NAME",
    );
  return { granted, missing };
}
