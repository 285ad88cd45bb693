import { z } from "zod";
import { listDeadLetters } from "@/lib/admin/dead-letters";
import { requireAdmin } from "@/lib/admin/require-admin";
import { adminDeps } from "@/lib/admin/web";
import { route } from "@/lib/web/route";

const query = z.object({
  limit: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be between 1 and 200")
    .max(200, "must be between 1 and 200")
    .default(50),
});

/**
 * GET /api/v1/admin/dead-letters[?limit=50] -> {deadLetters: [...], total}:
 * runs the queue gave up on, newest first. Admins only.
 */
export const GET = route(async (request: Request) => {
  await requireAdmin(request);
  const { limit } = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  return Response.json(await listDeadLetters(adminDeps().db, limit), { headers: { "cache-control": "no-store" } });
});
