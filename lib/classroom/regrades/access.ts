import { ApiError } from "../../http/errors";
import { isUuid } from "../../http/ids";
import { requireCaller, type ApiCaller } from "../../web/caller";
import { web } from "../../web/context";
import { requireAssignmentAccess, type AssignmentAccess } from "../access";
import type { CourseAction } from "../roles";

const SET_FIELDS = { id: true, assignmentId: true, status: true, total: true, createdById: true, createdAt: true, finishedAt: true } as const;

/**
 * The start of every /regrades/:id route: the caller (401), and the set if
 * they may do `action` on its assignment's course. A set of a course the
 * caller is not in is 404 exactly like no set at all; a student gets 403.
 */
export async function regradeForCaller(request: Request, regradeId: string, action: CourseAction) {
  const caller: ApiCaller = await requireCaller(request);
  const { db } = web();
  const missing = new ApiError(404, "not_found", `No re-grade ${regradeId} of yours exists.`);
  if (!isUuid(regradeId)) throw missing;
  const set = await db.regradeSet.findUnique({ where: { id: regradeId }, select: SET_FIELDS });
  if (!set) throw missing;
  let access: AssignmentAccess;
  try {
    access = await requireAssignmentAccess(db, set.assignmentId, caller.user.id, action);
  } catch (err) {
    // Not of the course: the set is not revealed (nor its assignment's id).
    if (err instanceof ApiError && err.status === 404) throw missing;
    throw err;
  }
  return { caller, set, access };
}

export { SET_FIELDS };
