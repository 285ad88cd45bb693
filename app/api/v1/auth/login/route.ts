import { apiLoginSchema } from "@/lib/accounts/credentials";
import { cookieFrom, DEVICE_COOKIE, deviceCookieHeader, signDeviceCookie, trustedDevice } from "@/lib/accounts/device-cookies";
import { authenticate } from "@/lib/accounts/login";
import { issueToken } from "@/lib/accounts/api-tokens";
import { webAccounts } from "@/lib/accounts/web-accounts";
import { clientIpOf } from "@/lib/http/client-ip";
import { ApiError, readJson } from "@/lib/http/errors";
import { route } from "@/lib/web/route";
import { web } from "@/lib/web/context";

/**
 * POST /api/v1/auth/login {username, password, expiresInDays?} -> 200 {user, token, expiresAt};
 * wrong -> 401; too many tries -> 429. The token lasts SAM_API_TOKEN_DAYS, or fewer days on request.
 * A success also sets the account's device cookie (device-cookies.ts): a client that keeps it may
 * still sign in while the account is refusing unknown networks.
 */
export const POST = route(async (request: Request) => {
  const { db, redis, loginLimiter, secret, config } = web();
  const { passwords, tokenDays } = webAccounts();
  const { expiresInDays, ...credentials } = await readJson(request, apiLoginSchema);
  if (expiresInDays !== undefined && expiresInDays > tokenDays) {
    throw new ApiError(400, "invalid_request", `expiresInDays: tokens on this server last at most ${tokenDays} days; ask for ${tokenDays} or fewer.`);
  }
  const device = await trustedDevice({ secret, redis }, cookieFrom(request.headers.get("cookie"), DEVICE_COOKIE), credentials.username);
  const user = await authenticate({ db, limiter: loginLimiter, passwords }, credentials, clientIpOf(request.headers), device);
  const { token, expiresAt } = await issueToken(db, user.id, expiresInDays ?? tokenDays);
  const cookie = deviceCookieHeader(await signDeviceCookie(secret, user.username), config.publicUrl.startsWith("https:"));
  return Response.json({ user, token, expiresAt }, { headers: { "cache-control": "no-store", "set-cookie": cookie } });
});
