import { clientKeyOf } from "@/lib/http/client-ip";
import { readJson } from "@/lib/http/errors";
import { joinSchema } from "@/lib/rooms/requests";
import { SharePreviewLimiter } from "@/lib/rooms/share-link-preview-limit";
import { previewShareLink } from "@/lib/rooms/share-links";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

/**
 * POST /api/v1/share-links/preview {token} -> {room: {name}, role, sharedBy}: what a share link grants, for the
 * invitation page a signed-out person sees. No sign-in needed: holding the token is the credential, and this tells
 * less than joining. The token travels in the body (never in a URL, so never in a log). 404 link_invalid for an
 * unknown, expired or revoked link alike; 429 rate_limited after 30 look-ups a minute from one address.
 */
export const POST = route(async (request: Request) => {
  const { db, redis } = web();
  await new SharePreviewLimiter(redis).consume(clientKeyOf(request.headers));
  const { token } = await readJson(request, joinSchema);
  return Response.json(await previewShareLink(db, token), { headers: { "cache-control": "no-store" } });
});
