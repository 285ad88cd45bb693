import type { Database } from "../db/client";
import { ApiError } from "../http/errors";
import type { LoginRateLimiter } from "./login-rate-limit";
import { verifyPassword, type PublicUser } from "./users";

/** One sign-in attempt, rate limited; used by both the API and the sign-in page. */
export async function authenticate(
  deps: { db: Database; limiter: LoginRateLimiter },
  credentials: { username: string; password: string },
  clientIp: string,
): Promise<PublicUser> {
  await deps.limiter.beforeAttempt(credentials.username, clientIp);
  const user = await verifyPassword(deps.db, credentials.username, credentials.password);
  if (!user) {
    await deps.limiter.afterFailure(credentials.username);
    throw new ApiError(401, "invalid_credentials", "The username or password is wrong.");
  }
  await deps.limiter.afterSuccess(credentials.username);
  return user;
}
