import { createInvite, inviteUrl, listInvites } from "@/lib/accounts/invites";
import { ApiError } from "@/lib/http/errors";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

/** GET /api/v1/invites -> {invites: [{id, createdAt, expiresAt, usedAt, usedBy}]}: the caller's working and used invites. */
export const GET = route(async (request: Request) => {
  const { db } = web();
  const caller = await requireCaller(request);
  return Response.json({ invites: await listInvites(db, caller.user.id) }, { headers: { "cache-control": "no-store" } });
});

/**
 * POST /api/v1/invites -> 201 {id, createdAt, expiresAt, token, url}: a one-time
 * invitation to sign up, for SAM_REGISTRATION=invite (403 invites_disabled
 * otherwise). The url (`/signup#invite=<token>`) is shown once.
 */
export const POST = route(async (request: Request) => {
  const { db, config } = web();
  const caller = await requireCaller(request);
  if (config.SAM_REGISTRATION !== "invite") {
    const why =
      config.SAM_REGISTRATION === "open"
        ? "registration on this server is open: anyone can sign up without one"
        : "registration on this server is closed: only its administrator makes invites (npm run invite)";
    throw new ApiError(403, "invites_disabled", `Invites are not used here: ${why}.`);
  }
  const invite = await createInvite(db, caller.user.id, config.SAM_INVITE_DAYS);
  return Response.json({ ...invite, url: inviteUrl(config.publicUrl, invite.token) }, { status: 201, headers: { "cache-control": "no-store" } });
});
