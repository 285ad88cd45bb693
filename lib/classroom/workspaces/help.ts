import type { Redis } from "ioredis";
import { z } from "zod";
import type { Database } from "../../db/client";
import { displayTextProblem } from "../../http/text";
import { appendCourseEvent } from "../events";

/**
 * A student's help request: at most one open per workspace (its time and an
 * optional message live on the AssignmentWorkspace row). Asking again while
 * one is open keeps its place in the queue and only changes the message; the
 * student withdraws it, or a teacher or TA resolves it once they helped.
 * Every change is a `help` course event, so the class view updates live.
 */
export const MAX_HELP_MESSAGE = 500;

export const helpRequestSchema = z
  .object({
    message: z
      .string({ error: "message must be a string" })
      .trim()
      .max(MAX_HELP_MESSAGE, `message must be at most ${MAX_HELP_MESSAGE} characters`)
      .superRefine((m, ctx) => {
        const problem = displayTextProblem(m);
        if (problem) ctx.addIssue({ code: "custom", message: `message ${problem}` });
      })
      .optional(),
  })
  .strict();

export interface HelpRequest {
  requestedAt: Date;
  message: string | null;
}

type Where = { assignmentId: string; courseId: string; userId: string };

/** Opens (or updates the message of) the student's request; their workspace must exist. */
export async function askForHelp(db: Database, redis: Redis, where: Where, message: string | undefined): Promise<HelpRequest> {
  const key = { assignmentId_userId: { assignmentId: where.assignmentId, userId: where.userId } };
  const now = new Date();
  // Only an open request keeps its time: the conditional update is one statement, so two tabs asking at once agree.
  const opened = await db.assignmentWorkspace.updateMany({
    where: { assignmentId: where.assignmentId, userId: where.userId, helpRequestedAt: null },
    data: { helpRequestedAt: now, helpMessage: message || null },
  });
  const row = opened.count
    ? await db.assignmentWorkspace.findUniqueOrThrow({ where: key })
    : await db.assignmentWorkspace.update({ where: key, data: { helpMessage: message || null } });
  const request = { requestedAt: row.helpRequestedAt ?? now, message: row.helpMessage };
  await appendCourseEvent(redis, where.courseId, "help", {
    assignmentId: where.assignmentId,
    userId: where.userId,
    requestedAt: request.requestedAt.toISOString(),
  });
  return request;
}

/** Closes the student's open request (withdrawn or resolved); false when none was open. */
export async function closeHelp(db: Database, redis: Redis, where: Where): Promise<boolean> {
  const closed = await db.assignmentWorkspace.updateMany({
    where: { assignmentId: where.assignmentId, userId: where.userId, helpRequestedAt: { not: null } },
    data: { helpRequestedAt: null, helpMessage: null },
  });
  if (closed.count === 0) return false;
  await appendCourseEvent(redis, where.courseId, "help", { assignmentId: where.assignmentId, userId: where.userId, requestedAt: null });
  return true;
}
