import { loginSchema } from "@/lib/accounts/credentials";
import { authenticate } from "@/lib/accounts/login";
import { issueToken } from "@/lib/accounts/api-tokens";
import { clientIpOf } from "@/lib/http/client-ip";
import { readJson } from "@/lib/http/errors";
import { route } from "@/lib/web/route";
import { web } from "@/lib/web/context";

/** POST /api/v1/auth/login {username, password} -> 200 {user, token}; wrong -> 401; too many tries -> 429 */
export const POST = route(async (request: Request) => {
  const { db, loginLimiter } = web();
  const credentials = await readJson(request, loginSchema);
  const user = await authenticate({ db, limiter: loginLimiter }, credentials, clientIpOf(request.headers));
  const token = await issueToken(db, user.id);
  return Response.json({ user, token }, { headers: { "cache-control": "no-store" } });
});
