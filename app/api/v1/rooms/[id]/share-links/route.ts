import { readJson } from "@/lib/http/errors";
import { roomCaps } from "@/lib/rooms/caps";
import { createShareLinkSchema } from "@/lib/rooms/requests";
import { createShareLink, listShareLinks } from "@/lib/rooms/share-links";
import { web } from "@/lib/web/context";
import { roomForCaller } from "@/lib/web/room-access";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/** GET /api/v1/rooms/:id/share-links -> {links: [{id, role, createdAt, expiresAt}]}: the active (unexpired, unrevoked) links (owner only; tokens are never shown again). */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const { room } = await roomForCaller(request, (await params).id, "manage");
  return Response.json({ links: await listShareLinks(db, room.id) }, { headers: { "cache-control": "no-store" } });
});

/**
 * POST /api/v1/rooms/:id/share-links {role: viewer|editor, expiresInDays?: 1-365}
 * -> 201 {id, role, createdAt, expiresAt, token, url} (owner only). The url
 * (`/join#<token>`) is shown once: only the token's hash is kept. Unless asked
 * otherwise the link works for SAM_SHARE_LINK_DAYS. 409 too_many_share_links
 * when SAM_MAX_SHARE_LINKS_PER_ROOM links of the room still work.
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const { db, config } = web();
  const { caller, room } = await roomForCaller(request, (await params).id, "manage");
  const { role, expiresInDays } = await readJson(request, createShareLinkSchema);
  const link = await createShareLink(db, room.id, role, caller.user.id, expiresInDays ?? config.SAM_SHARE_LINK_DAYS, roomCaps(config).shareLinksPerRoom);
  // The address people reach the app at (SAM_PUBLIC_URL), not whatever host this request named.
  const url = `${config.publicUrl}/join#${link.token}`;
  return Response.json({ ...link, url }, { status: 201, headers: { "cache-control": "no-store" } });
});
