import { z } from "zod";
import { availableRuntimes, requireRuntime } from "../../executions/runtimes";
import { ApiError } from "../../http/errors";
import { web } from "../../web/context";
import { appendCourseEvent } from "../events";
import { queueGrading } from "../grading/queue-grading";
import { cancelRegradeGradings } from "./cancel";
import { OPEN_STATUSES } from "./progress";

/** Submissions read (with their files) at a time while queueing: a big class is not loaded at once. */
const PAGE = 50;

const filesSchema = z.array(z.object({ name: z.string(), content: z.string() }));

/**
 * Starts a re-grade of every submission of the assignment against its tests
 * as they are now: a RegradeSet, and one Grading of kind regrade per
 * submission queued in the batch class (below every student's Test and
 * Submit), none made current: the teacher previews, then applies or cancels.
 * One open set per assignment (409 regrade_running), checked under a lock.
 */
export async function startRegrade(assignmentId: string, teacherId: string): Promise<{ id: string; total: number }> {
  const { db, redis } = web();
  const assignment = await db.assignment.findUniqueOrThrow({ where: { id: assignmentId }, select: { id: true, courseId: true, language: true, limits: true } });
  // No runner for the language: refuse before anything is recorded (503 no_runner, 400 unknown_language).
  requireRuntime(await availableRuntimes(redis), assignment.language);
  const set = await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(hashtext(${`sam:regrade:${assignmentId}`}))`;
    const open = await tx.regradeSet.findFirst({ where: { assignmentId, status: { in: [...OPEN_STATUSES] } }, select: { id: true, status: true } });
    if (open) {
      throw new ApiError(409, "regrade_running", `Re-grade ${open.id} of this assignment is still ${open.status}; apply or cancel it before starting another.`);
    }
    // The submissions now: one made while the set is queued is not part of it (its own grading grades it).
    const submissions = await tx.submission.findMany({ where: { assignmentId }, orderBy: { id: "asc" }, select: { id: true } });
    if (submissions.length === 0) throw new ApiError(409, "nothing_to_regrade", "The assignment has no submissions yet: there is nothing to re-grade.");
    const created = await tx.regradeSet.create({
      data: { assignmentId, createdById: teacherId, total: submissions.length },
      select: { id: true, total: true },
    });
    return { ...created, submissionIds: submissions.map((s) => s.id) };
  });
  try {
    for (let i = 0; i < set.submissionIds.length; i += PAGE) {
      const page = await db.submission.findMany({
        where: { id: { in: set.submissionIds.slice(i, i + PAGE) } },
        orderBy: { id: "asc" },
        select: { id: true, userId: true, files: true },
      });
      for (const s of page) {
        await queueGrading({
          assignment,
          userId: s.userId,
          kind: "regrade",
          files: filesSchema.catch([]).parse(s.files),
          submissionId: s.id,
          regradeSetId: set.id,
          workClass: "batch",
        });
      }
    }
  } catch (err) {
    // Half a set would never finish: it is cancelled (its queued gradings taken back) and the error answered.
    await db.regradeSet.update({ where: { id: set.id }, data: { status: "cancelled", finishedAt: new Date() } });
    await cancelRegradeGradings(set.id).catch(() => undefined);
    throw err;
  }
  await appendCourseEvent(redis, assignment.courseId, "regrade", { assignmentId, regradeSetId: set.id, status: "running" });
  return { id: set.id, total: set.total };
}
