import type { Assignment } from "../db/generated/client";
import { requireAssignmentAccess, type AssignmentAccess } from "../classroom/access";
import type { CourseAction } from "../classroom/roles";
import { ApiError, readBodyBytes } from "../http/errors";
import { requireCaller, type ApiCaller } from "./caller";
import { web } from "./context";

/**
 * The start of every assignment route: who is calling (401), and the
 * assignment if their course role allows `action` (404 for non-members and,
 * for students, before it opens; 403 naming what the role lacks), with the
 * whole stored row.
 */
export async function assignmentForCaller(
  request: Request,
  assignmentId: string,
  action: CourseAction,
): Promise<Omit<AssignmentAccess, "assignment"> & { caller: ApiCaller; assignment: Assignment }> {
  const caller = await requireCaller(request);
  const access = await requireAssignmentAccess(web().db, assignmentId, caller.user.id, action);
  const assignment = await web().db.assignment.findUnique({ where: { id: access.assignment.id } });
  // Deleted between the two reads: as if it never was.
  if (!assignment) throw new ApiError(404, "not_found", `No assignment ${assignmentId} of yours exists.`);
  return { ...access, caller, assignment };
}

/**
 * A request body as bytes (a JSON file or a zip), refused with 413 as soon as
 * it passes `maxBytes` (a chunked body has no length to check first).
 */
export async function readUpload(request: Request, maxBytes: number): Promise<Uint8Array> {
  return new Uint8Array(await readBodyBytes(request, maxBytes, () => new ApiError(413, "payload_too_large", `The upload must be at most ${maxBytes} bytes.`)));
}

export const noStore = { "cache-control": "no-store" };
