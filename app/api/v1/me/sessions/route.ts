import { revokeDeviceCookies } from "@/lib/accounts/device-cookies";
import { endEverySession } from "@/lib/auth/web-sessions";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

/**
 * DELETE /api/v1/me/sessions -> 204: signs out everywhere. Every browser
 * sign-in of the caller ends (copies of their cookies included), every API
 * token of theirs is revoked, the one making this call too, and so is every
 * device cookie (they no longer let a device past the account's ceiling).
 */
export const DELETE = route(async (request: Request) => {
  const caller = await requireCaller(request);
  await endEverySession(web().db, caller.user.id);
  await revokeDeviceCookies(web().redis, caller.user.username);
  return new Response(null, { status: 204 });
});
