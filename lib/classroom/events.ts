import type { Redis } from "ioredis";

/**
 * Live events of one course, for the gradebook and an assignment's class view
 * (SSE, read through the shared StreamReader, lib/redis/stream-reader.ts). A
 * Redis stream per course, capped, expiring when idle: the stream only says
 * "this changed"; what a late client missed it reads from the database. Every
 * event's data carries its assignmentId. Only staff (canCourse "grade")
 * follow it: it names students.
 *
 * Events (field `type`, JSON `data`):
 * - grading:    {assignmentId, gradingId, kind, userId, submissionId|null, regradeSetId|null, score, maxScore, finishedAt}
 *               a grading finished and its results are stored (the runner writes it);
 * - submission: {assignmentId, submissionId, userId, number, daysLate} a student submitted;
 * - override:   {assignmentId, submissionId, userId, overrideScore|null}
 * - help:       {assignmentId, userId, requestedAt|null} a student asked for help (null: answered or withdrawn);
 * - regrade:    {assignmentId, regradeSetId, status} a re-grade was started, applied or cancelled.
 */
export type CourseEventType = "grading" | "submission" | "override" | "help" | "regrade";

export const courseEventsKey = (courseId: string) => `sam:course:${courseId}:events`;
export const COURSE_EVENTS_MAX_ENTRIES = 5000;
export const COURSE_EVENTS_TTL_SECONDS = 24 * 3600;

export async function appendCourseEvent(
  redis: Redis,
  courseId: string,
  type: CourseEventType,
  data: { assignmentId: string } & Record<string, unknown>,
): Promise<string> {
  const key = courseEventsKey(courseId);
  const replies = await redis
    .multi()
    .xadd(key, "MAXLEN", "~", String(COURSE_EVENTS_MAX_ENTRIES), "*", "type", type, "data", JSON.stringify(data))
    .expire(key, COURSE_EVENTS_TTL_SECONDS)
    .exec();
  const [err, id] = replies?.[0] ?? [new Error("the course event was not answered"), null];
  if (err) throw err;
  return String(id);
}
