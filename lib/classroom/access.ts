import type { Database } from "../db/client";
import { ApiError } from "../http/errors";
import { isUuid } from "../http/ids";
import { canCourse, isCourseRole, type CourseAction, type CourseRole } from "./roles";

export interface CourseAccess {
  course: { id: string; name: string; createdAt: Date; updatedAt: Date };
  role: CourseRole;
}

const ACTION_WORDS: Record<CourseAction, string> = {
  read: "open this course",
  work: "work on or submit this course's assignments (only students do)",
  grade: "see other students' work or grades",
  author: "create or change assignments and tests",
  manage: "manage this course (roster, roles, invite codes, name)",
};

/** The caller's role in the course, or undefined when they are not a member (or there is no such course). */
export async function courseRole(db: Database, courseId: string, userId: string): Promise<CourseAccess | undefined> {
  if (!isUuid(courseId)) return undefined;
  const member = await db.courseMember.findUnique({ where: { courseId_userId: { courseId, userId } }, include: { course: true } });
  if (!member || !isCourseRole(member.role)) return undefined;
  return { course: member.course, role: member.role };
}

/**
 * The course, if the user may do `action` in it. A non-member gets 404 exactly
 * as for a course that does not exist (a course's existence is not revealed);
 * a member whose role does not allow the action gets 403 naming what is missing.
 */
export async function requireCourseAccess(db: Database, courseId: string, userId: string, action: CourseAction): Promise<CourseAccess> {
  const access = await courseRole(db, courseId, userId);
  if (!access) throw new ApiError(404, "not_found", `No course ${courseId} of yours exists.`);
  return checkCourseAction(access, action);
}

/** 403 naming what the role lacks, unless the role allows `action`. */
export function checkCourseAction<T extends { role: CourseRole }>(access: T, action: CourseAction): T {
  if (!canCourse(access.role, action)) {
    throw new ApiError(403, "forbidden", `As ${access.role === "ta" ? "a teaching assistant" : `a ${access.role}`} you cannot ${ACTION_WORDS[action]}.`);
  }
  return access;
}

export interface AssignmentAccess extends CourseAccess {
  assignment: { id: string; courseId: string; title: string; language: string; opensAt: Date | null; dueAt: Date; lateUntil: Date | null };
}

/**
 * The assignment and the caller's role in its course. Students get 404 for an
 * assignment that has not opened yet (as for one that does not exist); staff
 * see every assignment of their course.
 */
export async function requireAssignmentAccess(
  db: Database,
  assignmentId: string,
  userId: string,
  action: CourseAction,
  now = new Date(),
): Promise<AssignmentAccess> {
  const missing = new ApiError(404, "not_found", `No assignment ${assignmentId} of yours exists.`);
  if (!isUuid(assignmentId)) throw missing;
  const assignment = await db.assignment.findUnique({
    where: { id: assignmentId },
    select: { id: true, courseId: true, title: true, language: true, opensAt: true, dueAt: true, lateUntil: true },
  });
  if (!assignment) throw missing;
  const access = await courseRole(db, assignment.courseId, userId);
  if (!access) throw missing;
  if (access.role === "student" && assignment.opensAt && assignment.opensAt > now) throw missing;
  return checkCourseAction({ ...access, assignment }, action);
}
