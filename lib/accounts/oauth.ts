import type { Database } from "../db/client";
import { usernameKey } from "./credentials";
import { isConfiguredAdminName } from "./system-roles";
import { publicUser, type PublicUser } from "./users";

/**
 * The local account behind an OAuth identity: found by (provider, account id),
 * or created on first sign-in with a username derived from the provider's
 * login (made valid and unique, e.g. "octo-cat" or "octo-cat-2").
 */
export async function userForOAuth(
  db: Database,
  provider: string,
  providerAccountId: string,
  suggestedName: string | undefined,
  /** SAM_ADMINS: names a new account never gets (see isConfiguredAdminName). */
  adminNames: readonly string[] = [],
): Promise<PublicUser> {
  const linked = await db.oAuthAccount.findUnique({
    where: { provider_providerAccountId: { provider, providerAccountId } },
    include: { user: true },
  });
  if (linked) return publicUser(linked.user);

  const base =
    (suggestedName ?? "")
      .replace(/[^A-Za-z0-9_-]/g, "-")
      .slice(0, 28)
      .padEnd(3, "_") || `${provider}-user`;
  for (let n = 1; n < 100; n++) {
    const username = n === 1 ? base : `${base}-${n}`;
    if (isConfiguredAdminName(adminNames, username)) continue;
    const taken = await db.user.findUnique({ where: { usernameKey: usernameKey(username) } });
    if (taken) continue;
    const user = await db.user.create({
      data: { username, usernameKey: usernameKey(username), oauthAccounts: { create: { provider, providerAccountId } } },
    });
    return publicUser(user);
  }
  throw new Error(`could not find a free username for ${provider} account ${providerAccountId}`);
}
