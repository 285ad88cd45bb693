import { requireCaller } from "@/lib/web/caller";
import { availableRuntimes } from "@/lib/executions/runtimes";
import { route } from "@/lib/web/route";
import { web } from "@/lib/web/context";

/** GET /api/v1/runtimes -> [{language, version, aliases}]: the languages live runners verified. */
export const GET = route(async (request: Request) => {
  const { redis } = web();
  await requireCaller(request);
  const runtimes = await availableRuntimes(redis);
  return Response.json(
    runtimes.map(({ language, version, aliases }) => ({ language, version, aliases })),
    { headers: { "cache-control": "no-store" } },
  );
});
