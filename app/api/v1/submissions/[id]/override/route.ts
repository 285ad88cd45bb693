import { z } from "zod";
import { appendCourseEvent } from "@/lib/classroom/events";
import { setOverride } from "@/lib/classroom/submissions/override";
import { submissionForCaller } from "@/lib/classroom/submissions/queries";
import { readJson } from "@/lib/http/errors";
import { requireCaller } from "@/lib/web/caller";
import { web } from "@/lib/web/context";
import { route } from "@/lib/web/route";

type Params = { params: Promise<{ id: string }> };

/** The highest score an override may give (a course's tests are at most 100 x 10,000 points). */
const MAX_OVERRIDE_SCORE = 1_000_000;

const overrideSchema = z
  .object({
    score: z.number().min(0).max(MAX_OVERRIDE_SCORE).nullable(),
    comment: z.string().trim().max(2000).default(""),
  })
  .strict()
  .refine((o) => o.score !== null || o.comment !== "", { message: "give a score, a comment, or both" });

/**
 * PUT /api/v1/submissions/:id/override {score, comment} -> the submission
 * (staff: "grade"). The score replaces the graded one wherever a score is
 * shown (score: null keeps the graded score and only adds the comment); the
 * student sees the comment. A `override` course event tells the gradebook.
 */
export const PUT = route(async (request: Request, { params }: Params) => {
  const { db, redis, log } = web();
  const caller = await requireCaller(request);
  const id = (await params).id;
  const body = await readJson(request, overrideSchema);
  const s = await setOverride(db, id, caller.user.id, { score: body.score, comment: body.comment || null });
  await appendCourseEvent(redis, s.courseId, "override", {
    assignmentId: s.assignmentId,
    submissionId: s.id,
    userId: s.userId,
    overrideScore: body.score,
  }).catch((err: Error) => log.warn({ err: err.message, submissionId: s.id }, "could not announce the override; the gradebook shows it on reload"));
  return Response.json(await submissionForCaller(db, id, caller.user.id), { headers: { "cache-control": "no-store" } });
});

/** DELETE /api/v1/submissions/:id/override -> the submission, its graded score counting again (staff: "grade"). */
export const DELETE = route(async (request: Request, { params }: Params) => {
  const { db, redis, log } = web();
  const caller = await requireCaller(request);
  const id = (await params).id;
  const s = await setOverride(db, id, caller.user.id, null);
  await appendCourseEvent(redis, s.courseId, "override", { assignmentId: s.assignmentId, submissionId: s.id, userId: s.userId, overrideScore: null }).catch(
    (err: Error) => log.warn({ err: err.message, submissionId: s.id }, "could not announce the override; the gradebook shows it on reload"),
  );
  return Response.json(await submissionForCaller(db, id, caller.user.id), { headers: { "cache-control": "no-store" } });
});
