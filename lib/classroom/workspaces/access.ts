import type { Database } from "../../db/client";
import { ApiError } from "../../http/errors";
import { requireCaller, type ApiCaller } from "../../web/caller";
import { web } from "../../web/context";
import { type AssignmentAccess, requireAssignmentAccess } from "../access";
import { isStaff } from "../roles";

/**
 * The start of the workspace routes: the caller (401), the assignment (404 for
 * non-members, and for students before it opens) and their course role, with
 * `need` saying who the route is for: "student" (their own workspace, asking
 * for help) or "staff" (every student's rooms, the help queue, the class view).
 */
export async function assignmentForCaller(
  request: Request,
  assignmentId: string,
  need: "student" | "staff" | "either",
): Promise<AssignmentAccess & { caller: ApiCaller; db: Database }> {
  const caller = await requireCaller(request);
  const { db } = web();
  const access = await requireAssignmentAccess(db, assignmentId, caller.user.id, "read");
  const staff = isStaff(access.role);
  if (need === "student" && staff) {
    throw new ApiError(
      403,
      "forbidden",
      `Teachers and teaching assistants have no workspace of their own; open a student's room from the class view (/assignments/${assignmentId}/class).`,
    );
  }
  if (need === "staff" && !staff) {
    throw new ApiError(403, "forbidden", "Only the course's teachers and teaching assistants see every student's workspace and the help queue.");
  }
  return { ...access, caller, db };
}
