import { requireCaller } from "@/lib/web/caller";
import { availableRuntimes } from "@/lib/executions/runtimes";
import { route } from "@/lib/web/route";
import { web } from "@/lib/web/context";

/** GET /api/v1/runtimes -> [{language, version, aliases, entryFile?}]: the languages live runners verified (entryFile: where a room's run starts; its extension maps files to the language). */
export const GET = route(async (request: Request) => {
  const { redis } = web();
  await requireCaller(request);
  const runtimes = await availableRuntimes(redis);
  return Response.json(
    runtimes.map(({ language, version, aliases, entryFile }) => ({ language, version, aliases, entryFile })),
    { headers: { "cache-control": "no-store" } },
  );
});
