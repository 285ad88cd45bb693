/**
 * Shapes shared by the runner (which writes dead letters, runner/queue/dead-letters.ts)
 * and the web app (which lists, replays and discards them, lib/admin/dead-letters.ts).
 */

/** One failed attempt (or stall, or replay) of a run, oldest first in a dead letter. */
export interface AttemptReason {
  at: string;
  /**
   * By the error's type: sandbox (SandboxInfrastructureError), stalled (the runner
   * lost the job's lock), stalled_too_often, attempts_exhausted, unrecoverable
   * (an UnrecoverableError of ours, e.g. a result that could not be stored),
   * error (anything else), replayed (an administrator queued it again).
   */
  kind: "sandbox" | "stalled" | "stalled_too_often" | "attempts_exhausted" | "unrecoverable" | "error" | "replayed";
  /** For operators: the error's own words, internals included. */
  message: string;
}

/** Why the queue gave a run up. */
export type DeadLetterKind = "attempts_exhausted" | "stalled_too_often" | "unrecoverable";

/** The queue job as it was queued: a replay queues the run alike (its work class and priority). */
export interface DeadLetterJob {
  name: string;
  data: { executionId: string; [field: string]: unknown };
  priority: number | null;
}

/** Each execution's attempt reasons, kept while the run may still be given up. */
export const deadLetterReasonsKey = (executionId: string) => `sam:dead-letters:reasons:${executionId}`;
export const DEAD_LETTER_REASONS_MAX = 50;
export const DEAD_LETTER_REASONS_TTL_SECONDS = 14 * 24 * 3600;
