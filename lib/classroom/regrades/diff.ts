import { finalScore } from "../score";

/** One test's result as the preview compares it. */
export interface ResultForDiff {
  position: number;
  testId: string | null;
  name: string;
  verdict: string;
  points: number;
}

export interface GradingForDiff {
  score: number | null;
  maxScore: number;
  finishedAt: Date | null;
  results: ResultForDiff[];
}

export interface TestChange {
  name: string;
  /** null: the test was not in that grading (added or removed since). */
  oldVerdict: string | null;
  newVerdict: string | null;
  oldPoints: number | null;
  newPoints: number | null;
}

export interface SubmissionChange {
  submissionId: string;
  userId: string;
  username: string;
  number: number;
  /** Final scores (override, late penalty) before and after applying; null: not graded. */
  oldScore: number | null;
  newScore: number | null;
  /** The graded points before the penalty, before and after. */
  oldGraded: number | null;
  newGraded: number | null;
  /** The re-grade grading did not finish (its run failed): applying keeps the old grading. */
  failed: boolean;
  overridden: boolean;
  /** Tests whose verdict or points differ. */
  tests: TestChange[];
  changed: boolean;
}

/** Where a result sits in its grading's list, and what it is called: what matches it when its test's id does not. */
const placeOf = (r: ResultForDiff) => `#${r.position}:${r.name}`;

/**
 * Which tests' verdicts (or points) differ between the current grading and
 * the re-grade's. A result is matched to the same test (by id) when the
 * other grading knows that id, else to the result at the same place with the
 * same name: saving the tests (PUT /tests, the editor, an import) replaces
 * every row and gives each test a new id, and a fixed test is still the same
 * test to the teacher reading the preview.
 */
export function testChanges(before: ResultForDiff[], after: ResultForDiff[]): TestChange[] {
  const byId = new Map(before.filter((r) => r.testId !== null).map((r) => [r.testId!, r]));
  const byPlace = new Map(before.map((r) => [placeOf(r), r]));
  const used = new Set<ResultForDiff>();
  const changes: TestChange[] = [];
  for (const r of [...after].sort((a, b) => a.position - b.position)) {
    const candidates = [r.testId !== null ? byId.get(r.testId) : undefined, byPlace.get(placeOf(r))];
    const o = candidates.find((c) => c !== undefined && !used.has(c));
    if (o) used.add(o);
    if (!o || o.verdict !== r.verdict || o.points !== r.points) {
      changes.push({ name: r.name, oldVerdict: o?.verdict ?? null, newVerdict: r.verdict, oldPoints: o?.points ?? null, newPoints: r.points });
    }
  }
  for (const o of [...before].sort((a, b) => a.position - b.position)) {
    if (!used.has(o)) changes.push({ name: o.name, oldVerdict: o.verdict, newVerdict: null, oldPoints: o.points, newPoints: null });
  }
  return changes;
}

/** What applying would change for one submission. */
export function submissionChange(
  submission: { id: string; userId: string; username: string; number: number; daysLate: number; overrideScore: number | null },
  latePenaltyPerDay: number,
  current: GradingForDiff | null,
  regrade: GradingForDiff,
): SubmissionChange {
  const graded = (g: GradingForDiff | null) => (g?.finishedAt ? g.score : null);
  const score = (g: GradingForDiff | null) =>
    finalScore({ gradedScore: graded(g), daysLate: submission.daysLate, latePenaltyPerDay, overrideScore: submission.overrideScore });
  const failed = !regrade.finishedAt;
  const tests = failed ? [] : testChanges(current?.finishedAt ? current.results : [], regrade.results);
  const oldGraded = graded(current);
  const newGraded = failed ? oldGraded : graded(regrade);
  return {
    submissionId: submission.id,
    userId: submission.userId,
    username: submission.username,
    number: submission.number,
    oldScore: score(current),
    newScore: failed ? score(current) : score(regrade),
    oldGraded,
    newGraded,
    failed,
    overridden: submission.overrideScore !== null,
    tests,
    changed: !failed && (oldGraded !== newGraded || tests.length > 0),
  };
}
