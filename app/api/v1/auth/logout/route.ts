import { requireBearer, revokeToken } from "@/lib/accounts/api-tokens";
import { route } from "@/lib/web/route";
import { web } from "@/lib/web/context";

/** POST /api/v1/auth/logout -> 204: revokes the token that made the call. */
export const POST = route(async (request: Request) => {
  const { db } = web();
  const caller = await requireBearer(db, request);
  await revokeToken(db, caller.token);
  return new Response(null, { status: 204 });
});
