import type { Database } from "../../db/client";
import { submissionChange, type SubmissionChange } from "./diff";

const RESULT_FIELDS = { position: true, testId: true, name: true, verdict: true, points: true } as const;

/**
 * The preview of a re-grade: per submission whose re-grade grading is done,
 * the score before and after and which tests' verdicts changed (`all`: every
 * done submission, also those that do not change). Three queries: the set's
 * gradings, their submissions' current gradings (each with its results), the names.
 */
export async function regradePreview(db: Database, set: { id: string; latePenaltyPerDay: number }, all: boolean): Promise<SubmissionChange[]> {
  const gradings = await db.grading.findMany({
    where: { regradeSetId: set.id },
    select: {
      score: true,
      maxScore: true,
      finishedAt: true,
      submissionId: true,
      execution: { select: { status: true } },
      results: { select: RESULT_FIELDS },
    },
  });
  const submissionIds = gradings.flatMap((g) => (g.submissionId ? [g.submissionId] : []));
  const submissions = await db.submission.findMany({
    where: { id: { in: submissionIds } },
    select: {
      id: true,
      userId: true,
      number: true,
      daysLate: true,
      overrideScore: true,
      grading: { select: { score: true, maxScore: true, finishedAt: true, results: { select: RESULT_FIELDS } } },
    },
  });
  const byId = new Map(submissions.map((s) => [s.id, s]));
  const users = await db.user.findMany({ where: { id: { in: [...new Set(submissions.map((s) => s.userId))] } }, select: { id: true, username: true } });
  const names = new Map(users.map((u) => [u.id, u.username]));
  const changes: SubmissionChange[] = [];
  for (const g of gradings) {
    const s = g.submissionId ? byId.get(g.submissionId) : undefined;
    if (!s) continue;
    const running = !g.finishedAt && (g.execution?.status === "queued" || g.execution?.status === "running" || g.execution?.status === "succeeded");
    if (running) continue;
    const change = submissionChange({ ...s, username: names.get(s.userId) ?? "(deleted account)" }, set.latePenaltyPerDay, s.grading, g);
    if (all || change.changed) changes.push(change);
  }
  return changes.sort((a, b) => a.username.localeCompare(b.username) || a.number - b.number);
}
