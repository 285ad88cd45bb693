import { checkDatabase, checkRedis } from "@/lib/services/health";
import { aliveServices, SERVICES } from "@/lib/services/heartbeat";
import { ApiError } from "@/lib/http/errors";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";
import packageJson from "@/package.json";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/health -> 200 when PostgreSQL and Redis answer and at least one
 * web, collab and runner process is alive (each announces itself in Redis);
 * otherwise 503 `degraded`, with `missing` naming the services that have no
 * live process. Public (no token) so load balancers and uptime checks can call
 * it; it says nothing beyond up/down and how many service processes are alive.
 *
 * GET /api/v1/health?scope=web checks only this web process, its database and
 * Redis: whether this process can serve, whatever the others do (the supervisor
 * and a load balancer in front of several web processes ask this).
 */
export const GET = route(async (request: Request) => {
  const { db, redis } = web();
  const scope = new URL(request.url).searchParams.get("scope");
  if (scope !== null && scope !== "web") {
    throw new ApiError(400, "invalid_request", 'scope: leave it out for the whole product, or ask for "web" (this web process only).');
  }
  const [database, redisState] = await Promise.all([checkDatabase(db), checkRedis(redis)]);
  const services = redisState === "ok" ? await aliveServices(redis).catch(() => undefined) : undefined;
  // Without Redis the counts are unknown: redis "error" already says what is wrong.
  const missing = scope !== "web" && services ? SERVICES.filter((s) => services[s] === 0) : [];
  const ok = database === "ok" && redisState === "ok" && missing.length === 0;
  return Response.json(
    {
      status: ok ? "ok" : "degraded",
      database,
      redis: redisState,
      services: services ?? null,
      ...(missing.length ? { missing } : {}),
      version: packageJson.version,
      uptimeSeconds: Math.round(process.uptime()),
    },
    { status: ok ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
});
