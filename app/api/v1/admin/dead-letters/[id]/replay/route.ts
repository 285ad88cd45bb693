import { replayDeadLetter } from "@/lib/admin/dead-letters";
import { requireAdmin } from "@/lib/admin/require-admin";
import { adminDeps, deadLetterId } from "@/lib/admin/web";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * POST /api/v1/admin/dead-letters/:executionId/replay -> 202 {executionId,
 * status: "queued", replays}: the run is queued again under the same id with
 * fresh attempts; its internal_error is replaced by the replay's result (one
 * result still). 409 not_replayable / inputs_dropped, 503 queue_unavailable. Admins only.
 */
export const POST = route(async (request: Request, { params }: Params) => {
  const caller = await requireAdmin(request);
  const replayed = await replayDeadLetter(adminDeps(), deadLetterId((await params).id), caller.user.username);
  return Response.json(replayed, { status: 202, headers: { "cache-control": "no-store" } });
});
