import { registerSchema } from "@/lib/accounts/credentials";
import { issueToken } from "@/lib/accounts/api-tokens";
import { webAccounts } from "@/lib/accounts/web-accounts";
import { clientIpOf } from "@/lib/http/client-ip";
import { readJson } from "@/lib/http/errors";
import { route } from "@/lib/web/route";
import { web } from "@/lib/web/context";

/**
 * POST /api/v1/auth/register {username, password, invite?} -> 201 {user: {id, username}, token, expiresAt}.
 * `invite` is needed when SAM_REGISTRATION is invite or closed (403 invite_required /
 * registration_closed / invite_invalid); too many from one address -> 429 with Retry-After.
 */
export const POST = route(async (request: Request) => {
  const { db } = web();
  const { registration, tokenDays } = webAccounts();
  const input = await readJson(request, registerSchema);
  const user = await registration.register(input, clientIpOf(request.headers));
  const { token, expiresAt } = await issueToken(db, user.id, tokenDays);
  return Response.json({ user, token, expiresAt }, { status: 201, headers: { "cache-control": "no-store" } });
});
