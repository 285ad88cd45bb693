import type { Database } from "../../db/client";
import { submissionAllowance, type SubmissionPolicy } from "./rules";

/** The assignment's columns the submission rules and routes read. */
export const POLICY_FIELDS = {
  id: true,
  courseId: true,
  language: true,
  limits: true,
  opensAt: true,
  dueAt: true,
  lateUntil: true,
  latePenaltyPerDay: true,
  submissionLimit: true,
  submissionRefillMinutes: true,
} as const;

export function policyOf(a: SubmissionPolicy & { id: string }): SubmissionPolicy & { id: string } {
  return {
    id: a.id,
    opensAt: a.opensAt,
    dueAt: a.dueAt,
    lateUntil: a.lateUntil,
    submissionLimit: a.submissionLimit,
    submissionRefillMinutes: a.submissionRefillMinutes,
  };
}

/** How many submissions the student has left now, as the API and the room's panel show it. */
export async function allowanceView(db: Database, assignment: SubmissionPolicy & { id: string }, userId: string, now = new Date()) {
  const earlier = await db.submission.findMany({ where: { assignmentId: assignment.id, userId }, select: { createdAt: true } });
  const a = submissionAllowance(
    assignment,
    earlier.map((e) => e.createdAt),
    now,
  );
  return { ...a, nextAt: a.nextAt?.toISOString() ?? null };
}
