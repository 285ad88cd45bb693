import type { GradingKind } from "../../lib/db/generated/enums";

/**
 * Which tests a grading runs (the product rule every part shares): kind
 * `test` (the student's "Test" button) runs the visible tests, and the
 * after_due ones once the due date has passed; `submission` and `regrade`
 * run every test. Hidden tests never run for kind `test`: their outputs could
 * otherwise be inferred from a student's own test runs.
 */
export function testsToRun<T extends { visibility: string; position: number }>(kind: GradingKind, tests: T[], dueAt: Date, now: Date): T[] {
  const ordered = [...tests].sort((a, b) => a.position - b.position);
  if (kind !== "test") return ordered;
  const pastDue = now.getTime() >= dueAt.getTime();
  return ordered.filter((t) => t.visibility === "visible" || (t.visibility === "after_due" && pastDue));
}
