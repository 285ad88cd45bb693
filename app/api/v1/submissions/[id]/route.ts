import { submissionForCaller } from "@/lib/classroom/submissions/queries";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/**
 * GET /api/v1/submissions/:id -> {id, number, assignment, user, createdAt,
 * daysLate, late, files, score, gradedScore, maxScore, status, override,
 * grading} (the student who made it, or course staff; anyone else 404).
 * `score` is the one that counts (override, else points less the late
 * penalty); `grading` is its current grading, hidden tests redacted for the student.
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const caller = await requireCaller(request);
  const view = await submissionForCaller(web().db, (await params).id, caller.user.id);
  return Response.json(view, { headers: { "cache-control": "no-store" } });
});
