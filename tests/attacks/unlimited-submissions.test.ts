import { describe, expect, it } from "vitest";
import { ApiError } from "../../lib/http/errors";
import { checkSubmission, MAX_SUBMISSIONS_PER_STUDENT } from "../../lib/classroom/submissions/rules";
import { MAX_LISTED_SUBMISSIONS } from "../../lib/classroom/submissions/queries";

/**
 * An assignment without a submission limit (the default) took submissions
 * for ever. Each keeps its files for good and a re-grade grades every one,
 * so a student submitting at the run rate (60 a minute by default) stored
 * ~86,000 snapshots a day and made the teacher's next re-grade queue as many
 * gradings in one request. "No limit" now stops at a server-wide ceiling per
 * student and assignment, the number the lists show anyway.
 */
const policy = { id: "a", opensAt: null, dueAt: new Date(Date.now() + 86_400_000), lateUntil: null, submissionRefillMinutes: null };
const times = (n: number) => Array.from({ length: n }, (_, i) => new Date(Date.now() - (n - i) * 1000));

describe("attack: a student submitting without end", () => {
  it("is stopped at the ceiling when the assignment sets no limit", () => {
    expect(MAX_SUBMISSIONS_PER_STUDENT).toBeLessThanOrEqual(MAX_LISTED_SUBMISSIONS);
    expect(() => checkSubmission({ ...policy, submissionLimit: null }, times(MAX_SUBMISSIONS_PER_STUDENT - 1), new Date())).not.toThrow();
    let refused: unknown;
    try {
      checkSubmission({ ...policy, submissionLimit: null }, times(MAX_SUBMISSIONS_PER_STUDENT), new Date());
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).status).toBe(429);
    expect((refused as ApiError).code).toBe("submission_limit_reached");
  });

  it("also under a refilling budget, which would otherwise give submissions back for ever", () => {
    const budget = { ...policy, submissionLimit: 5, submissionRefillMinutes: 1 };
    const spread = Array.from({ length: MAX_SUBMISSIONS_PER_STUDENT }, (_, i) => new Date(Date.now() - (MAX_SUBMISSIONS_PER_STUDENT - i) * 3_600_000));
    expect(() => checkSubmission(budget, spread, new Date())).toThrow(/the most this server keeps/);
  });
});
