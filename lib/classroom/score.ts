/**
 * A submission's score as everyone sees it (student, submission page,
 * gradebook, CSV): a teacher's override wins; otherwise the graded points,
 * less latePenaltyPerDay percent for each started day late, never below 0.
 * Null while the submission has no finished grading.
 */
export function finalScore(s: { gradedScore: number | null; daysLate: number; latePenaltyPerDay: number; overrideScore: number | null }): number | null {
  if (s.overrideScore !== null) return s.overrideScore;
  if (s.gradedScore === null) return null;
  const kept = Math.max(0, 1 - (s.latePenaltyPerDay / 100) * Math.max(0, s.daysLate));
  return Math.round(s.gradedScore * kept * 1000) / 1000;
}

/**
 * Started days after the due date (0: on time). A submission one second late
 * is one day late, as GitHub Classroom and Gradescope count it.
 */
export function daysLate(submittedAt: Date, dueAt: Date): number {
  const late = submittedAt.getTime() - dueAt.getTime();
  return late <= 0 ? 0 : Math.ceil(late / 86_400_000);
}
