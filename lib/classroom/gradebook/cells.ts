import { finalScore } from "../score";

/**
 * Where a submission's current grading is. `queued` also covers a submission
 * whose grading is not recorded yet (Submission.gradingId still null).
 * `failed`: the grading's run ended without a result (internal_error after
 * its retries, cancelled) or the run is gone: it will not finish by itself.
 */
export type GradingState = "queued" | "grading" | "graded" | "failed";

/** What the gradebook query reads of one student's LATEST submission to one assignment. */
export interface LatestSubmission {
  assignmentId: string;
  userId: string;
  submissionId: string;
  number: number;
  /** How many submissions the student made to the assignment. */
  count: number;
  submittedAt: Date;
  daysLate: number;
  overrideScore: number | null;
  gradingId: string | null;
  gradedScore: number | null;
  gradedMaxScore: number | null;
  gradingFinishedAt: Date | null;
  /** The grading's execution status; null when there is no grading or its execution was deleted by retention. */
  executionStatus: string | null;
}

/** One cell of the gradebook: a student's standing on one assignment (null in the table when they never submitted). */
export interface GradebookCell {
  submissionId: string;
  /** Number of submissions made. */
  submissions: number;
  /** finalScore of the latest submission (override, late penalty); null while it is not graded. */
  score: number | null;
  /** The points the grading was out of (the assignment's total when not graded yet). */
  maxScore: number;
  late: boolean;
  daysLate: number;
  overridden: boolean;
  state: GradingState;
  submittedAt: string;
}

export function gradingState(g: { gradingId: string | null; gradingFinishedAt: Date | null; executionStatus: string | null }): GradingState {
  if (!g.gradingId) return "queued";
  if (g.gradingFinishedAt) return "graded";
  switch (g.executionStatus) {
    case "queued":
      return "queued";
    case "running":
    // succeeded: the runner is writing the results (one transaction), finishedAt follows.
    case "succeeded":
      return "grading";
    default:
      // internal_error, cancelled, another final status, or the execution is gone (null).
      return "failed";
  }
}

/** A gradebook cell from the latest submission; the score rule is finalScore's, nobody else's. */
export function cellOf(latest: LatestSubmission, assignment: { latePenaltyPerDay: number; maxScore: number }): GradebookCell {
  const state = gradingState(latest);
  const gradedScore = state === "graded" ? latest.gradedScore : null;
  return {
    submissionId: latest.submissionId,
    submissions: latest.count,
    score: finalScore({ gradedScore, daysLate: latest.daysLate, latePenaltyPerDay: assignment.latePenaltyPerDay, overrideScore: latest.overrideScore }),
    maxScore: state === "graded" && latest.gradedMaxScore !== null ? latest.gradedMaxScore : assignment.maxScore,
    late: latest.daysLate > 0,
    daysLate: latest.daysLate,
    overridden: latest.overrideScore !== null,
    state,
    submittedAt: latest.submittedAt.toISOString(),
  };
}
