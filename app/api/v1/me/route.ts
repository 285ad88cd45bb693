import { requireBearer } from "@/lib/accounts/api-tokens";
import { route } from "@/lib/web/route";
import { web } from "@/lib/web/context";

/** GET /api/v1/me -> {user}: who the token belongs to. */
export const GET = route(async (request: Request) => {
  const { user } = await requireBearer(web().db, request);
  return Response.json({ user }, { headers: { "cache-control": "no-store" } });
});
