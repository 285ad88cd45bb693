import { requireBearer } from "@/lib/accounts/api-tokens";
import { availableRuntimes } from "@/lib/executions/runtimes";
import { route } from "@/lib/web/route";
import { web } from "@/lib/web/context";

/** GET /api/v1/runtimes -> [{language, version, aliases}]: the languages live runners verified. */
export const GET = route(async (request: Request) => {
  const { db, redis } = web();
  await requireBearer(db, request);
  const runtimes = await availableRuntimes(redis);
  return Response.json(
    runtimes.map(({ language, version, aliases }) => ({ language, version, aliases })),
    { headers: { "cache-control": "no-store" } },
  );
});
