import { systemRoleOf } from "../accounts/system-roles";
import { currentUser, type SessionUser } from "../auth/session";
import { ApiError } from "../http/errors";
import { requireCaller, type ApiCaller } from "../web/caller";
import { web } from "../web/context";

export const adminOnly = () => new ApiError(403, "admin_only", "Only administrators may use this; ask one to run `npm run admin -- grant <your username>`.");

/**
 * Every /api/v1/admin route starts here: 401 for an anonymous caller (as every
 * route), 403 admin_only for anyone whose account is not an admin right now.
 * The role is read from the database on each request, never from the session
 * cookie or token, so a revoke takes effect on the next request.
 */
export async function requireAdmin(request: Request): Promise<ApiCaller> {
  const caller = await requireCaller(request);
  if ((await systemRoleOf(web().db, caller.user.id)) !== "admin") throw adminOnly();
  return caller;
}

/** For the admin pages: the signed-in user and whether the account is an admin now (undefined: not signed in). */
export async function pageAdmin(): Promise<{ user: SessionUser; admin: boolean } | undefined> {
  const user = await currentUser();
  if (!user) return undefined;
  return { user, admin: (await systemRoleOf(web().db, user.id)) === "admin" };
}
