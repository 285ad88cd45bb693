import { requireCaller } from "@/lib/web/caller";
import { route } from "@/lib/web/route";

/** GET /api/v1/me -> {user}: who the token belongs to. */
export const GET = route(async (request: Request) => {
  const { user } = await requireCaller(request);
  return Response.json({ user }, { headers: { "cache-control": "no-store" } });
});
