import type { Database } from "../../db/client";
import { deleteClassroomLeftovers } from "../cleanup";
import { ApiError } from "../../http/errors";
import type { CourseRole } from "../roles";
import { COURSE_LIMITS } from "./limits";
import { lockCourseCreator } from "./locks";

/**
 * Courses themselves. Any signed-in account may create a course and becomes
 * its teacher (there is no separate "instructor" system role: a course is as
 * cheap as a room, and capped per account the same way).
 */
export interface CourseView {
  id: string;
  name: string;
  /** The caller's role in it. */
  role: CourseRole;
  createdAt: Date;
  updatedAt: Date;
}

export async function createCourse(db: Database, userId: string, name: string, maxTaught: number = COURSE_LIMITS.coursesTaughtPerAccount): Promise<CourseView> {
  return db.$transaction(async (tx) => {
    await lockCourseCreator(tx, userId);
    const taught = await tx.courseMember.count({ where: { userId, role: "teacher" } });
    if (taught >= maxTaught) {
      throw new ApiError(
        409,
        "too_many_courses",
        `You teach ${taught} courses, the most an account may; delete a course you no longer need, or hand it to another teacher and leave it.`,
      );
    }
    const course = await tx.course.create({ data: { name, members: { create: { userId, role: "teacher" } } } });
    return { id: course.id, name: course.name, role: "teacher" as const, createdAt: course.createdAt, updatedAt: course.updatedAt };
  });
}

/** The caller's courses with their role in each, by name. */
export async function listMyCourses(db: Database, userId: string): Promise<CourseView[]> {
  const memberships = await db.courseMember.findMany({ where: { userId }, include: { course: true } });
  return memberships
    .map((m) => ({ id: m.course.id, name: m.course.name, role: m.role, createdAt: m.course.createdAt, updatedAt: m.course.updatedAt }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.createdAt.getTime() - b.createdAt.getTime());
}

export async function renameCourse(db: Database, courseId: string, name: string): Promise<{ id: string; name: string; createdAt: Date; updatedAt: Date }> {
  const course = await db.course.update({ where: { id: courseId }, data: { name } });
  return { id: course.id, name: course.name, createdAt: course.createdAt, updatedAt: course.updatedAt };
}

/**
 * Deletes the course with everything in it (members, invite codes,
 * assignments, tests, submissions, gradings: the schema cascades) and the
 * students' workspace rooms, which the schema does not reach from the course
 * (a room is not a course's child). Returns the ids of the rooms gone, so the
 * caller can close their open sockets.
 */
export async function deleteCourse(db: Database, courseId: string): Promise<string[]> {
  return db.$transaction(async (tx) => {
    const roomIds = await deleteClassroomLeftovers(tx, { courseId });
    await tx.course.delete({ where: { id: courseId } });
    return roomIds;
  });
}
