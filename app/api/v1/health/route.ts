import { checkDatabase, checkRedis } from "@/lib/services/health";
import { aliveServices } from "@/lib/services/heartbeat";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";
import packageJson from "@/package.json";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/health -> 200 when PostgreSQL and Redis answer, 503 otherwise.
 * Public (no token) so load balancers and uptime checks can call it; it says
 * nothing beyond up/down and how many service processes are alive.
 */
export const GET = route(async () => {
  const { db, redis } = web();
  const [database, redisState] = await Promise.all([checkDatabase(db), checkRedis(redis)]);
  const services = redisState === "ok" ? await aliveServices(redis).catch(() => undefined) : undefined;
  const ok = database === "ok" && redisState === "ok";
  return Response.json(
    {
      status: ok ? "ok" : "degraded",
      database,
      redis: redisState,
      services: services ?? null,
      version: packageJson.version,
      uptimeSeconds: Math.round(process.uptime()),
    },
    { status: ok ? 200 : 503, headers: { "cache-control": "no-store" } },
  );
});
