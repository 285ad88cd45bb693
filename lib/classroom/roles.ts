import { CourseRole } from "../db/generated/enums";

/**
 * What each role may do in a course. The one table every course check reads:
 * pages, route handlers, SSE streams and the room socket (a student's
 * workspace room takes its roles from the course) all ask `canCourse`.
 * Course roles are separate from room roles and from system roles: an
 * administrator of the server is nobody in a course they are not a member of.
 *
 * | action        | student | ta  | teacher |
 * |---------------|---------|-----|---------|
 * | read          | yes     | yes | yes     |  the course, its open assignments, visible tests
 * | work          | yes     | no  | no      |  own workspace, Test, Submit, ask for help
 * | grade         | no      | yes | yes     |  every student's rooms, submissions, gradebook, overrides, help queue, live view
 * | author        | no      | no  | yes     |  assignments and tests (hidden ones included), re-grades
 * | manage        | no      | no  | yes     |  the course, roster, roles, invite codes
 */
export { CourseRole };
export const COURSE_ROLES = Object.values(CourseRole) as [CourseRole, ...CourseRole[]];
export type CourseAction = "read" | "work" | "grade" | "author" | "manage";

const ALLOWED: Record<CourseAction, readonly CourseRole[]> = {
  read: ["student", "ta", "teacher"],
  work: ["student"],
  grade: ["ta", "teacher"],
  author: ["teacher"],
  manage: ["teacher"],
};

export function canCourse(role: CourseRole, action: CourseAction): boolean {
  return ALLOWED[action].includes(role);
}

export function isCourseRole(value: unknown): value is CourseRole {
  return typeof value === "string" && (COURSE_ROLES as readonly string[]).includes(value);
}

/** Staff see every student's work; students only their own. */
export const isStaff = (role: CourseRole): boolean => canCourse(role, "grade");
