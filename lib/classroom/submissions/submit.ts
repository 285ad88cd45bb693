import type { Database } from "../../db/client";
import type { Submission } from "../../db/generated/client";
import { checkSubmission, type SubmissionPolicy } from "./rules";

/**
 * Records a student's submission if the rules allow it now: the count of
 * earlier submissions and the insert of number n+1 happen under a
 * transaction-scoped advisory lock per (assignment, student), so parallel
 * Submits queue up behind each other and the last ones see the first ones
 * (a limit cannot be passed by submitting twice at once). The snapshot of
 * the files is stored as it is: a submission is never changed afterwards,
 * only its override and current grading are.
 */
export async function recordSubmission(
  db: Database,
  assignment: SubmissionPolicy & { id: string },
  userId: string,
  files: Array<{ name: string; content: string }>,
  now = () => new Date(),
): Promise<Submission> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(hashtext(${`sam:submit:${assignment.id}:${userId}`}))`;
    const earlier = await tx.submission.findMany({
      where: { assignmentId: assignment.id, userId },
      select: { number: true, createdAt: true },
      orderBy: { number: "desc" },
    });
    // The time is taken once the lock is held: it is the submission's time, for the deadline and daysLate.
    const at = now();
    const { daysLate } = checkSubmission(
      assignment,
      earlier.map((e) => e.createdAt),
      at,
    );
    return tx.submission.create({
      data: { assignmentId: assignment.id, userId, number: (earlier[0]?.number ?? 0) + 1, files, createdAt: at, daysLate },
    });
  }, LOCKED_TRANSACTION);
}

/** Parallel submits of one student wait for each other's lock: give them time on a busy server. */
const LOCKED_TRANSACTION = { maxWait: 10_000, timeout: 30_000 };
