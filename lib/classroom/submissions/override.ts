import type { Database } from "../../db/client";
import { checkCourseAction } from "../access";
import { requireId, requireWorkAccess } from "./access";

/**
 * Sets (or with null, removes) a teacher's override of a submission's
 * score and its comment. Staff only (canCourse "grade"): the submission's
 * own student gets 403, anyone else 404. The files and gradings stay as
 * they are: only the override columns change.
 */
export async function setOverride(
  db: Database,
  submissionId: string,
  callerId: string,
  override: { score: number | null; comment: string | null } | null,
): Promise<{ id: string; assignmentId: string; courseId: string; userId: string }> {
  const missing = requireId(submissionId, "submission");
  const s = await db.submission.findUnique({
    where: { id: submissionId },
    select: { id: true, userId: true, assignmentId: true, assignment: { select: { id: true, courseId: true, opensAt: true } } },
  });
  if (!s) throw missing;
  const access = await requireWorkAccess(db, { ownerId: s.userId, assignment: s.assignment }, callerId, missing);
  checkCourseAction(access, "grade");
  await db.submission.update({
    where: { id: s.id },
    data: override
      ? { overrideScore: override.score, overrideComment: override.comment, overriddenById: callerId, overriddenAt: new Date() }
      : { overrideScore: null, overrideComment: null, overriddenById: null, overriddenAt: null },
  });
  return { id: s.id, assignmentId: s.assignmentId, courseId: s.assignment.courseId, userId: s.userId };
}
