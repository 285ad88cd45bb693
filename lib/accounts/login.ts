import type { Database } from "../db/client";
import { ApiError } from "../http/errors";
import { addressKey } from "../http/client-ip";
import type { LoginRateLimiter } from "./login-rate-limit";
import type { PasswordHasher } from "./password-hasher";
import { verifyPassword, type PublicUser } from "./users";

/**
 * One sign-in attempt, rate limited; used by both the API and the sign-in
 * page. `clientIp` is the request's client address; `device`, the id of the
 * account's device cookie it carried, if any (device-cookies.ts).
 */
export async function authenticate(
  deps: { db: Database; limiter: LoginRateLimiter; passwords: PasswordHasher },
  credentials: { username: string; password: string },
  clientIp: string,
  device?: string,
): Promise<PublicUser> {
  // Counted as a failure before the check, so a burst of parallel guesses cannot all get through.
  await deps.limiter.beforeAttempt(credentials.username, clientIp, device);
  let user: PublicUser | undefined;
  try {
    user = await verifyPassword(deps.db, deps.passwords, credentials.username, credentials.password, addressKey(clientIp));
  } catch (err) {
    await deps.limiter.refund(credentials.username, clientIp);
    throw err;
  }
  if (!user) throw new ApiError(401, "invalid_credentials", "The username or password is wrong.");
  await deps.limiter.afterSuccess(credentials.username, clientIp, device);
  return user;
}
