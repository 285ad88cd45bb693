import type { Redis } from "ioredis";
import { ROOM_CONTROL_CHANNEL } from "../../rooms/events";

/**
 * Said on the room control channel (lib/rooms/events.ts) when someone's role
 * in a course changes or they leave it: their sockets to the course's
 * workspace rooms (whose roles come from the course) may no longer hold. The
 * collab service re-reads the roles of everyone connected at once instead of
 * at its next periodic re-check (collab/extensions/membership.ts). SSE
 * streams on those rooms re-check access by themselves every few seconds.
 */
export interface CourseControlMessage {
  kind: "course";
  courseId: string;
  userId: string;
}

/** Call after changing or removing a course member (the roster routes). */
export async function announceCourseMemberChange(redis: Redis, courseId: string, userId: string): Promise<void> {
  const message: CourseControlMessage = { kind: "course", courseId, userId };
  await redis.publish(ROOM_CONTROL_CHANNEL, JSON.stringify(message));
}
