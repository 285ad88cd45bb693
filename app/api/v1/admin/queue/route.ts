import { queueOverview } from "@/lib/admin/queue-overview";
import { requireAdmin } from "@/lib/admin/require-admin";
import { adminDeps } from "@/lib/admin/web";
import { route } from "@/lib/web/route";

/**
 * GET /api/v1/admin/queue -> the execution queue now: counts per state and per
 * work class, the oldest waiting run, runners alive (driver, concurrency,
 * current runs), recent failures, the dead-letter count and the autoscaler's
 * recent decisions. Admins only (401 anonymous, 403 admin_only).
 */
export const GET = route(async (request: Request) => {
  await requireAdmin(request);
  return Response.json(await queueOverview(adminDeps()), { headers: { "cache-control": "no-store" } });
});
