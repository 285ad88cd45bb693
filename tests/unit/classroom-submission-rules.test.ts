import { describe, expect, it } from "vitest";
import { checkSubmission, finalDeadline, submissionAllowance, type SubmissionPolicy } from "../../lib/classroom/submissions/rules";

/** The submission rules: opening, deadlines, late days, a hard cap and a refilling budget. */
const MIN = 60_000;
const DAY = 86_400_000;
const due = new Date("2026-12-01T12:00:00Z");
const at = (ms: number) => new Date(due.getTime() + ms);
const policy = (p: Partial<SubmissionPolicy> = {}): SubmissionPolicy & { id: string } => ({
  id: "a1",
  opensAt: null,
  dueAt: due,
  lateUntil: null,
  submissionLimit: null,
  submissionRefillMinutes: null,
  ...p,
});

function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (err) {
    return err as { status: number; code: string; message: string; headers: Record<string, string> };
  }
  throw new Error("expected a refusal");
}

describe("when a student may submit", () => {
  it("before opensAt the assignment does not exist for them (404)", () => {
    const r = refusal(() => checkSubmission(policy({ opensAt: at(-DAY) }), [], at(-2 * DAY)));
    expect([r.status, r.code]).toEqual([404, "not_found"]);
    expect(checkSubmission(policy({ opensAt: at(-DAY) }), [], at(-DAY)).daysLate).toBe(0);
  });

  it("on time up to dueAt; without lateUntil, refused right after with the deadline in the message", () => {
    expect(checkSubmission(policy(), [], due).daysLate).toBe(0);
    const r = refusal(() => checkSubmission(policy(), [], at(1000)));
    expect([r.status, r.code]).toEqual([409, "deadline_passed"]);
    expect(r.message).toContain("2026-12-01 12:00 UTC");
    expect(r.message).toContain("no late submissions");
  });

  it("late until lateUntil with started days counted, refused after it naming lateUntil", () => {
    const p = policy({ lateUntil: at(3 * DAY) });
    expect(checkSubmission(p, [], at(1000)).daysLate).toBe(1);
    expect(checkSubmission(p, [], at(DAY + 1)).daysLate).toBe(2);
    expect(checkSubmission(p, [], at(3 * DAY)).daysLate).toBe(3);
    const r = refusal(() => checkSubmission(p, [], at(3 * DAY + 1)));
    expect(r.code).toBe("deadline_passed");
    expect(r.message).toContain("late submissions were accepted until 2026-12-04 12:00 UTC");
  });

  it("a lateUntil before dueAt never shortens the deadline", () => {
    expect(finalDeadline({ dueAt: due, lateUntil: at(-DAY) })).toEqual(due);
    expect(checkSubmission(policy({ lateUntil: at(-DAY) }), [], due).daysLate).toBe(0);
  });

  it("a hard cap refuses the one past it with 429 and no Retry-After", () => {
    const p = policy({ submissionLimit: 2 });
    const earlier = [at(-3 * DAY), at(-2 * DAY)];
    expect(checkSubmission(p, earlier.slice(0, 1), at(-DAY)).allowance).toMatchObject({ kind: "cap", used: 1, available: 1, nextAt: null });
    const r = refusal(() => checkSubmission(p, earlier, at(-DAY)));
    expect([r.status, r.code]).toEqual([429, "submission_limit_reached"]);
    expect(r.headers["retry-after"]).toBeUndefined();
    expect(r.message).toContain("all 2 submissions");
  });

  it("the deadline is checked before the limit (the more useful answer)", () => {
    const r = refusal(() => checkSubmission(policy({ submissionLimit: 1 }), [at(-DAY)], at(DAY)));
    expect(r.code).toBe("deadline_passed");
  });

  it("no limit: always available, allowance says so", () => {
    expect(submissionAllowance(policy(), [at(-DAY), at(-DAY)], due)).toEqual({ limit: null, kind: "none", used: 2, available: null, nextAt: null });
  });
});

describe("a refilling submission budget", () => {
  // 2 submissions, one back every 30 minutes.
  const p = policy({ submissionLimit: 2, submissionRefillMinutes: 30 });
  const t0 = at(-10 * DAY);
  const later = (ms: number) => new Date(t0.getTime() + ms);

  it("starts full, and one comes back 30 minutes after it was first used", () => {
    expect(submissionAllowance(p, [], t0)).toMatchObject({ available: 2, nextAt: null });
    expect(submissionAllowance(p, [t0], later(MIN))).toMatchObject({ available: 1, nextAt: later(30 * MIN) });
    expect(submissionAllowance(p, [t0], later(30 * MIN))).toMatchObject({ available: 2, nextAt: null });
  });

  it("when empty, refuses with Retry-After until the next comes back", () => {
    const earlier = [t0, later(5 * MIN)];
    const r = refusal(() => checkSubmission(p, earlier, later(10 * MIN)));
    expect([r.status, r.code]).toEqual([429, "submission_limit_reached"]);
    expect(r.headers["retry-after"]).toBe(String(20 * 60));
    expect(r.message).toContain("every 30 minutes");
    // At 30 minutes one is back; the one after comes 30 minutes later still (60), not at 35.
    expect(checkSubmission(p, earlier, later(30 * MIN)).allowance).toMatchObject({ available: 1, nextAt: later(60 * MIN) });
    expect(submissionAllowance(p, earlier, later(60 * MIN))).toMatchObject({ available: 2, nextAt: null });
  });

  it("counts the history in order, whatever order it is given in", () => {
    const earlier = [later(31 * MIN), t0, later(32 * MIN)];
    // t0 takes one (1 left); at 30 it is back (2); 31 and 32 take both (0); the next at 31+30.
    expect(submissionAllowance(p, earlier, later(40 * MIN))).toMatchObject({ used: 3, available: 0, nextAt: later(61 * MIN) });
  });

  it("never counts above the limit however long the student waited", () => {
    expect(submissionAllowance(p, [t0], later(10 * DAY))).toMatchObject({ available: 2, nextAt: null });
  });
});
