import { apiLoginSchema } from "@/lib/accounts/credentials";
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
 */
export const POST = route(async (request: Request) => {
  const { db, loginLimiter } = web();
  const { passwords, tokenDays } = webAccounts();
  const { expiresInDays, ...credentials } = await readJson(request, apiLoginSchema);
  if (expiresInDays !== undefined && expiresInDays > tokenDays) {
    throw new ApiError(400, "invalid_request", `expiresInDays: tokens on this server last at most ${tokenDays} days; ask for ${tokenDays} or fewer.`);
  }
  const user = await authenticate({ db, limiter: loginLimiter, passwords }, credentials, clientIpOf(request.headers));
  const { token, expiresAt } = await issueToken(db, user.id, expiresInDays ?? tokenDays);
  return Response.json({ user, token, expiresAt }, { headers: { "cache-control": "no-store" } });
});
