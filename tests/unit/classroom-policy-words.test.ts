import { describe, expect, it } from "vitest";
import { hiddenTestsWords, latePolicyWords, submissionLimitWords, when } from "../../app/_components/assignments/policy-words";

/** An assignment's rules as the assignment page words them for students. */
describe("assignment rules in words", () => {
  it("dates are given in UTC, naming the zone", () => {
    expect(when("2026-12-01T23:59:00Z")).toBe("Tue, 1 Dec 2026, 23:59 UTC");
  });

  it("the late policy: none, without penalty, with a penalty per day", () => {
    expect(latePolicyWords({ lateUntil: null, latePenaltyPerDay: 10 })).toMatch(/^No late submissions/);
    expect(latePolicyWords({ lateUntil: "2026-12-03T12:00:00Z", latePenaltyPerDay: 0 })).toBe(
      "Late submissions are accepted until Thu, 3 Dec 2026, 12:00 UTC, without penalty.",
    );
    expect(latePolicyWords({ lateUntil: "2026-12-03T12:00:00Z", latePenaltyPerDay: 20 })).toMatch(/with 20% of the score taken off per started day late/);
  });

  it("the submission limit: none, a hard cap, a refilling budget", () => {
    expect(submissionLimitWords({ submissionLimit: null, submissionRefillMinutes: null })).toMatch(/as often as you like/);
    expect(submissionLimitWords({ submissionLimit: 1, submissionRefillMinutes: null })).toMatch(/at most 1 time;/);
    expect(submissionLimitWords({ submissionLimit: 3, submissionRefillMinutes: 30 })).toMatch(
      /3 submissions to spend; one comes back every 30 minutes \(up to 3\)/,
    );
  });

  it("hidden tests: nothing when there are none; what is shown depends on hiddenFeedback", () => {
    expect(hiddenTestsWords({ count: 0, points: 0 }, "verdict")).toBeUndefined();
    expect(hiddenTestsWords({ count: 1, points: 3 }, "verdict")).toMatch(/1 hidden test worth 3 points: .* verdict and points/);
    expect(hiddenTestsWords({ count: 2, points: 1 }, "nothing")).toMatch(/2 hidden tests worth 1 point: .* nothing else/);
  });
});
