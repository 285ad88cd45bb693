import { ApiError } from "../../http/errors";
import { web } from "../../web/context";
import { appendCourseEvent } from "../events";
import { FAILED_RUN_STATUSES } from "./progress";

/**
 * Applies a finished re-grade: in ONE transaction, every submission whose
 * re-grade grading finished gets it as its current grading (the gradebook,
 * the student's page and the CSV show the new score at once, all or none),
 * and the set becomes `applied`. A grading whose run failed has no score: its
 * submission keeps the grading it had (counted in `kept`), never a blank.
 * Refused (409) while any grading is still queued or running, and for a set
 * already applied or cancelled. Under the same lock as starting a set.
 */
export async function applyRegrade(set: { id: string; assignmentId: string; courseId: string }): Promise<{ switched: number; kept: number }> {
  const { db, redis } = web();
  const result = await db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(hashtext(${`sam:regrade:${set.assignmentId}`}))`;
    const row = await tx.regradeSet.findUniqueOrThrow({ where: { id: set.id }, select: { status: true, total: true, finishedAt: true } });
    if (row.status === "applied" || row.status === "cancelled") {
      throw new ApiError(409, "regrade_closed", `The re-grade was already ${row.status}; start a new one to grade again.`);
    }
    const pending = await tx.grading.count({ where: { regradeSetId: set.id, finishedAt: null, execution: { status: { notIn: FAILED_RUN_STATUSES } } } });
    if (pending > 0) {
      throw new ApiError(
        409,
        "regrade_not_ready",
        `${pending} of the re-grade's ${row.total} gradings have not finished; apply it once every grading is done.`,
      );
    }
    const switched = await tx.$executeRaw`
      UPDATE "Submission" s SET "gradingId" = g.id
      FROM "Grading" g
      WHERE g."regradeSetId" = ${set.id}::uuid AND g."finishedAt" IS NOT NULL AND g."submissionId" = s.id`;
    await tx.regradeSet.update({ where: { id: set.id }, data: { status: "applied", finishedAt: row.finishedAt ?? new Date() } });
    return { switched, kept: row.total - switched };
  });
  await appendCourseEvent(redis, set.courseId, "regrade", { assignmentId: set.assignmentId, regradeSetId: set.id, status: "applied" });
  return result;
}
