import { gradingForCaller } from "@/lib/classroom/submissions/queries";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * GET /api/v1/gradings/:id -> the grading as the caller may see it
 * (lib/classroom/submissions/grading-view.ts): status queued|running|
 * finished|failed, score, and each test's result; hidden tests redacted for
 * the student. The student whose work it is, or the course's staff; anyone
 * else 404.
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const caller = await requireCaller(request);
  const view = await gradingForCaller(web().db, (await params).id, caller.user.id);
  return Response.json(view, { headers: { "cache-control": "no-store" } });
});
