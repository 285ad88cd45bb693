import { discardDeadLetter, inspectDeadLetter } from "@/lib/admin/dead-letters";
import { requireAdmin } from "@/lib/admin/require-admin";
import { adminDeps, deadLetterId } from "@/lib/admin/web";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/** GET /api/v1/admin/dead-letters/:executionId -> the dead letter with every attempt's reason and what its owner sees. Admins only. */
export const GET = route(async (request: Request, { params }: Params) => {
  await requireAdmin(request);
  const id = deadLetterId((await params).id);
  return Response.json(await inspectDeadLetter(adminDeps().db, id), { headers: { "cache-control": "no-store" } });
});

/** DELETE /api/v1/admin/dead-letters/:executionId -> 204: forgotten; the run's internal_error stays its result. Admins only. */
export const DELETE = route(async (request: Request, { params }: Params) => {
  await requireAdmin(request);
  await discardDeadLetter(adminDeps(), deadLetterId((await params).id));
  return new Response(null, { status: 204, headers: { "cache-control": "no-store" } });
});
