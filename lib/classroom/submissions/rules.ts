import { ApiError } from "../../http/errors";
import { daysLate } from "../score";

/**
 * May this student submit now? Pure rules over the assignment's dates and
 * limits and the times of the student's earlier submissions, so they are
 * unit-tested without a database; the route applies them under a lock per
 * student (submit.ts), so parallel submits see each other.
 */
export interface SubmissionPolicy {
  opensAt: Date | null;
  dueAt: Date;
  /** Late submissions are accepted until then; null: none after dueAt. */
  lateUntil: Date | null;
  /** Null: no limit. */
  submissionLimit: number | null;
  /** Null: the limit is a hard cap. Set: a budget of submissionLimit that gives one back every this many minutes. */
  submissionRefillMinutes: number | null;
}

export interface Allowance {
  /** Null: no limit. */
  limit: number | null;
  /** "cap": the limit is for good; "budget": used ones come back over time. */
  kind: "none" | "cap" | "budget";
  used: number;
  /** Submissions the student may make now; null without a limit. */
  available: number | null;
  /** When the next used one comes back (budget only, while below the limit); null otherwise. */
  nextAt: Date | null;
}

/** The last moment a submission is accepted: lateUntil when late ones are (never before dueAt), else dueAt. */
export function finalDeadline(p: Pick<SubmissionPolicy, "dueAt" | "lateUntil">): Date {
  return p.lateUntil && p.lateUntil > p.dueAt ? p.lateUntil : p.dueAt;
}

/**
 * How many submissions the student has now. A refilling budget works like
 * a game's energy: it starts full; each submission takes one; while below
 * the limit one comes back every submissionRefillMinutes, counted from the
 * moment it first dropped below (so the history alone decides, no stored
 * counter to drift).
 */
export function submissionAllowance(p: Pick<SubmissionPolicy, "submissionLimit" | "submissionRefillMinutes">, earlier: Date[], now: Date): Allowance {
  const used = earlier.length;
  const limit = p.submissionLimit;
  if (limit === null) return { limit: null, kind: "none", used, available: null, nextAt: null };
  if (!p.submissionRefillMinutes) return { limit, kind: "cap", used, available: Math.max(0, limit - used), nextAt: null };
  const period = p.submissionRefillMinutes * 60_000;
  let tokens = limit;
  // While below the limit: the moment the next one comes back is anchor + period.
  let anchor: number | null = null;
  const refill = (t: number) => {
    if (anchor === null) return;
    const gained = Math.floor((t - anchor) / period);
    if (gained <= 0) return;
    tokens = Math.min(limit, tokens + gained);
    anchor = tokens >= limit ? null : anchor + gained * period;
  };
  for (const at of [...earlier].map((d) => d.getTime()).sort((a, b) => a - b)) {
    refill(at);
    // The route never lets a submission through without one; a history that did (the limit was lowered later) stays at 0.
    tokens = Math.max(0, tokens - 1);
    anchor ??= at;
  }
  refill(now.getTime());
  return { limit, kind: "budget", used, available: tokens, nextAt: anchor === null ? null : new Date(anchor + period) };
}

/**
 * The most submissions one student makes to one assignment, whatever its
 * limit ("no limit" included). Every submission keeps its files for good,
 * and a re-grade grades every one: without a ceiling one student, at the
 * run rate (60 a minute by default), stored ~86,000 snapshots a day and made
 * the teacher's next re-grade queue as many gradings. The lists show at most
 * this many anyway (MAX_LISTED_SUBMISSIONS).
 */
export const MAX_SUBMISSIONS_PER_STUDENT = 1000;

const utc = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/**
 * The submission's daysLate if the student may submit now, else the ApiError
 * that says why not: 404 before the assignment opens (as if it did not
 * exist), 409 deadline_passed after the last accepted moment, 429
 * submission_limit_reached when none is left (with Retry-After when a budget
 * gives one back, none for a hard cap: waiting does not help).
 */
export function checkSubmission(p: SubmissionPolicy & { id: string }, earlier: Date[], now: Date): { daysLate: number; allowance: Allowance } {
  if (p.opensAt && p.opensAt > now) throw new ApiError(404, "not_found", `No assignment ${p.id} of yours exists.`);
  const deadline = finalDeadline(p);
  if (now > deadline) {
    const late =
      p.lateUntil && p.lateUntil > p.dueAt ? `late submissions were accepted until ${utc(deadline)}` : `it was due ${utc(deadline)}, with no late submissions`;
    throw new ApiError(409, "deadline_passed", `This assignment no longer takes submissions: ${late}.`);
  }
  if (earlier.length >= MAX_SUBMISSIONS_PER_STUDENT) {
    throw new ApiError(
      429,
      "submission_limit_reached",
      `You have made ${earlier.length} submissions to this assignment, the most this server keeps for one student; your latest one counts.`,
    );
  }
  const allowance = submissionAllowance(p, earlier, now);
  if (allowance.available !== null && allowance.available <= 0) {
    if (allowance.kind === "cap") {
      throw new ApiError(429, "submission_limit_reached", `You have made all ${allowance.limit} submissions this assignment allows; your latest one counts.`);
    }
    const seconds = Math.max(1, Math.ceil(((allowance.nextAt?.getTime() ?? now.getTime()) - now.getTime()) / 1000));
    throw new ApiError(
      429,
      "submission_limit_reached",
      `You have used all ${allowance.limit} submissions of your budget; one comes back every ${p.submissionRefillMinutes} minutes, the next at ${utc(allowance.nextAt ?? now)} (in ${seconds} seconds).`,
      { "retry-after": String(seconds) },
    );
  }
  return { daysLate: daysLate(now, p.dueAt), allowance };
}
