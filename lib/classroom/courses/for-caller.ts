import { requireCaller, type ApiCaller } from "../../web/caller";
import { web } from "../../web/context";
import { type CourseAccess, requireCourseAccess } from "../access";
import type { CourseAction } from "../roles";

/** The caller (401 otherwise) and the course, if their role allows `action` (404 for non-members, 403 for too small a role). */
export async function courseForCaller(request: Request, courseId: string, action: CourseAction): Promise<CourseAccess & { caller: ApiCaller }> {
  const caller = await requireCaller(request);
  const access = await requireCourseAccess(web().db, courseId, caller.user.id, action);
  return { ...access, caller };
}
