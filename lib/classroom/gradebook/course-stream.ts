import type { Redis } from "ioredis";
import type { StreamReader } from "../../redis/stream-reader";
import { readStream } from "../../redis/streams";
import { courseEventsKey, type CourseEventType } from "../events";

/** One event of a course's stream (lib/classroom/events.ts says what each type carries). */
export interface CourseEvent {
  id: string;
  type: CourseEventType;
  /** JSON, as appended. */
  data: string;
}

/** The id of the course's newest event ("0" when none): a new follower starts from there. */
export async function latestCourseEventId(redis: Redis, courseId: string): Promise<string> {
  const last = (await redis.xrevrange(courseEventsKey(courseId), "+", "-", "COUNT", 1)) as Array<[string, string[]]>;
  return last[0]?.[0] ?? "0";
}

/** Events after `afterId`, waiting up to `blockMs`, through the process's one StreamReader. */
export async function readCourseEvents(reader: StreamReader, courseId: string, afterId: string, blockMs: number, signal?: AbortSignal): Promise<CourseEvent[]> {
  const entries = await readStream(reader, courseEventsKey(courseId), afterId, blockMs, 200, signal);
  return entries.map(({ id, fields }) => ({ id, type: fields.type as CourseEventType, data: fields.data ?? "{}" }));
}
