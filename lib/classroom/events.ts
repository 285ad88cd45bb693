import type { Redis } from "ioredis";

/**
 * Live events of one assignment, for the gradebook and the class view (SSE,
 * read through the shared StreamReader, lib/redis/stream-reader.ts). A Redis
 * stream per assignment, capped, expiring when idle: what a late client missed
 * it reads from the database, the stream only says "this changed".
 *
 * Events (field `type`, JSON `data`):
 * - grading:   {gradingId, kind, userId, submissionId|null, regradeSetId|null, score, maxScore, finishedAt}
 *              a grading finished (written by the runner after its results are stored);
 * - submission:{submissionId, userId, number, daysLate} a student submitted (queued for grading);
 * - override:  {submissionId, userId, overrideScore|null}
 * - help:      {userId, requestedAt|null} a student asked for help (null: answered or withdrawn);
 * - regrade:   {regradeSetId, status, done, total} a re-grade made progress or changed state.
 */
export type AssignmentEventType = "grading" | "submission" | "override" | "help" | "regrade";

export const assignmentEventsKey = (assignmentId: string) => `sam:assignment:${assignmentId}:events`;
export const ASSIGNMENT_EVENTS_MAX_ENTRIES = 2000;
export const ASSIGNMENT_EVENTS_TTL_SECONDS = 24 * 3600;

export async function appendAssignmentEvent(redis: Redis, assignmentId: string, type: AssignmentEventType, data: Record<string, unknown>): Promise<string> {
  const key = assignmentEventsKey(assignmentId);
  const [[err, id] = [null, null]] =
    (await redis
      .multi()
      .xadd(key, "MAXLEN", "~", String(ASSIGNMENT_EVENTS_MAX_ENTRIES), "*", "type", type, "data", JSON.stringify(data))
      .expire(key, ASSIGNMENT_EVENTS_TTL_SECONDS)
      .exec()) ?? [];
  if (err) throw err;
  return String(id);
}
