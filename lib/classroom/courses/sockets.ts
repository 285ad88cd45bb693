import type { Redis } from "ioredis";
import type { Database } from "../../db/client";
import { announceRoomControl } from "../../rooms/events";
import { type CourseRole, isStaff } from "../roles";

/**
 * A roster change reaches the workspace rooms at once. A student's workspace
 * room takes its roles from the course (workspaceRole), so when someone's
 * course role changes or they leave, their open sockets in the rooms they
 * reached through the course close and reconnect, authenticating with what
 * the course now says (or not at all): their own workspaces, and, if they
 * were staff, every student's workspace of the course.
 */
export async function announceCourseRoleChange(db: Database, redis: Redis, courseId: string, userId: string, previousRole: CourseRole): Promise<void> {
  const workspaces = await db.assignmentWorkspace.findMany({
    where: { assignment: { courseId }, ...(isStaff(previousRole) ? {} : { userId }) },
    select: { roomId: true },
  });
  await Promise.all(workspaces.map((w) => announceRoomControl(redis, { roomId: w.roomId, kind: "members", userId })));
}
