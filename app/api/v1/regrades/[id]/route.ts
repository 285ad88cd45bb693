import { z } from "zod";
import { regradeForCaller } from "@/lib/classroom/regrades/access";
import { regradePreview } from "@/lib/classroom/regrades/preview";
import { regradeProgress } from "@/lib/classroom/regrades/progress";
import { readQuery } from "@/lib/http/errors";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

const querySchema = z.object({
  changes: z.enum(["only", "all"], { message: 'changes must be "only" (the default) or "all"' }).optional(),
});

/**
 * GET /api/v1/regrades/:id -> {...progress (status, total, done, failed),
 * preview: [{submissionId, userId, username, number, oldScore, newScore,
 * oldGraded, newGraded, failed, overridden, changed, tests: [{name,
 * oldVerdict, newVerdict, oldPoints, newPoints}]}]} (staff). The preview
 * lists the submissions whose re-grade finished: only those that change
 * (?changes=only, the default) or all of them (?changes=all).
 */
export const GET = route(async (request: Request, { params }: Params) => {
  const { db } = web();
  const { changes } = readQuery(request, querySchema);
  const { set } = await regradeForCaller(request, (await params).id, "grade");
  const assignment = await db.assignment.findUniqueOrThrow({ where: { id: set.assignmentId }, select: { latePenaltyPerDay: true, title: true } });
  const [progress] = await regradeProgress(db, [set]);
  const preview = await regradePreview(db, { id: set.id, latePenaltyPerDay: assignment.latePenaltyPerDay }, changes === "all");
  return Response.json({ ...progress, assignmentTitle: assignment.title, preview }, { headers: { "cache-control": "no-store" } });
});
