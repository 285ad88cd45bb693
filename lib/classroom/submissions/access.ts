import type { Database } from "../../db/client";
import { ApiError } from "../../http/errors";
import { isUuid } from "../../http/ids";
import { courseRole } from "../access";
import { isStaff, type CourseRole } from "../roles";

/**
 * Who may see one student's work (a grading or a submission): that student,
 * while a student of the course and once the assignment is open, and the
 * course's staff. Everyone else gets the same 404 as for something that
 * does not exist: another student's work is not even confirmed to exist.
 */
export async function requireWorkAccess(
  db: Database,
  work: { ownerId: string; assignment: { id: string; courseId: string; opensAt: Date | null } },
  callerId: string,
  missing: ApiError,
  now = new Date(),
): Promise<{ role: CourseRole; staff: boolean }> {
  const access = await courseRole(db, work.assignment.courseId, callerId);
  if (!access) throw missing;
  if (isStaff(access.role)) return { role: access.role, staff: true };
  const own = access.role === "student" && work.ownerId === callerId && !(work.assignment.opensAt && work.assignment.opensAt > now);
  if (!own) throw missing;
  return { role: access.role, staff: false };
}

/** 404 not_found for an id that is not a UUID, before any query. */
export function requireId(id: string, what: string): ApiError {
  const missing = new ApiError(404, "not_found", `No ${what} ${id} of yours exists.`);
  if (!isUuid(id)) throw missing;
  return missing;
}
