import type { JobsOptions } from "bullmq";

/**
 * The execution queue's settings, in one place: shared by the web (producer)
 * and the runner (consumer). Priorities and fairness are explained in
 * priority.ts, which computes a job's priority from the constants here.
 */
export const EXECUTION_QUEUE = "sam-executions";
/** Tries of one run before it ends as internal_error (a stalled runner counts as a try). */
export const MAX_ATTEMPTS = 3;
/**
 * Stalls BullMQ forgives (its maxStalledCount): the first stall puts the job
 * back in the queue; the second fails it, so a run that twice took its runner
 * down is not tried on a third.
 */
export const MAX_STALLS = 1;
/** Pause before a retry: 500 ms, then 1 s (BullMQ's exponential backoff). */
export const RETRY_BACKOFF = { type: "exponential", delay: 500 } as const;
/** Finished jobs kept in Redis (the database holds the result; these only help an operator look). */
export const KEEP_COMPLETED = { age: 3600, count: 10_000 } as const;
export const KEEP_FAILED = { age: 24 * 3600 } as const;
/** How long a job's lock lives without renewal; a runner that dies mid-run loses the job after this. */
export const LOCK_DURATION_MS = 15_000;
/** How often a runner looks for jobs whose runner died (their lock expired). */
export const STALLED_INTERVAL_MS = 5_000;
/** A run whose account has its most runs running waits this long, plus up to BUSY_WAIT_JITTER_MS, before it is tried again. */
export const BUSY_WAIT_MS = 1000;
export const BUSY_WAIT_JITTER_MS = 250;
/** A run taken while PostgreSQL is unreachable waits this long (plus jitter) before it is tried again, as often as it takes (not an attempt). */
export const DATABASE_WAIT_MS = 2000;
/** A run queued in PostgreSQL this long without a job in Redis (lost with Redis' last second before a crash) is queued again. */
export const LOST_RUN_AFTER_MS = 120_000;
/** How often one runner looks for such runs (runner/queue/lost-runs.ts). */
export const LOST_RUN_SWEEP_EVERY_MS = 60_000;

/** What every run's job gets when it is queued (its priority is added per run: priority.ts). */
export const JOB_OPTIONS: JobsOptions = {
  attempts: MAX_ATTEMPTS,
  backoff: { ...RETRY_BACKOFF },
  removeOnComplete: { ...KEEP_COMPLETED },
  removeOnFail: { ...KEEP_FAILED },
};

/**
 * Classes of work, highest first. A queued run of a higher class is always
 * taken before any run of a lower class:
 * - interactive: a room's run; someone is watching it;
 * - api: a run asked for through POST /api/v1/executions;
 * - batch: bulk work (e.g. re-running many submissions), asked for with
 *   `"workClass": "batch"`; it waits while there is anything else to do.
 */
export const WORK_CLASSES = ["interactive", "api", "batch"] as const;
export type WorkClass = (typeof WORK_CLASSES)[number];
/** What a caller of the API may ask for: `interactive` belongs to room runs only. */
export const API_WORK_CLASSES = ["api", "batch"] as const satisfies readonly WorkClass[];
/** The class of a job queued without one (by code older than the classes). */
export const DEFAULT_WORK_CLASS: WorkClass = "api";

/**
 * BullMQ priorities: 1 is served first, at most 2^21 - 1. Each class owns a
 * band of PRIORITY_BAND values starting at its base; within the band, a run's
 * place is its account's number of runs of that class queued before it
 * (priority.ts), so the bands never mix and accounts take turns inside one.
 */
export const PRIORITY_BAND = 500_000;
export const CLASS_PRIORITY_BASE: Record<WorkClass, number> = { interactive: 1, api: 1 + PRIORITY_BAND, batch: 1 + 2 * PRIORITY_BAND };
/**
 * How many of one account's waiting room runs get the interactive band. A
 * person watches one run at a time; any member who may run in a room can
 * start room runs (scripts too), so without this one account could fill the
 * top band and keep every api and batch run waiting. Its further room runs
 * wait in the api band, at their place among its waiting room runs.
 */
export const INTERACTIVE_WAITING_PER_ACCOUNT = 1;
/**
 * A run counted as queued for fairness is forgotten after this long even if
 * nobody said it left the queue (a web process that died between counting and
 * queuing it): a leaked count only ever costs its own account a little place.
 */
export const FAIR_SHARE_FORGET_AFTER_MS = 3600_000;

export interface ExecutionJob {
  executionId: string;
  /** Missing in jobs queued by older code: DEFAULT_WORK_CLASS. */
  workClass?: WorkClass;
  /** The run's account, for the fairness count (missing in jobs queued by older code). */
  userId?: string;
}

/** Live events of one execution: a Redis stream, so a late client can replay from the start. */
export const eventsKey = (executionId: string) => `sam:exec:${executionId}:events`;
/** Runners listen here for cancellations of runs they are executing. */
export const CANCEL_CHANNEL = "sam:exec:cancel";
/** While a run goes on, its event stream expires this long after its last event (a run is never this long). */
export const EVENTS_TTL_SECONDS = 2 * 3600;
/**
 * After the result, the stream stays only briefly, for clients that are just
 * connecting: the database holds the output, and the SSE route reads the
 * result from there (a late client whose stream is gone gets it from there too).
 */
export const EVENTS_TTL_AFTER_RESULT_SECONDS = 60;
/**
 * At most about this many entries per stream (XADD MAXLEN ~), each at most
 * EVENT_MAX_BYTES of output: a run's stream holds a few MiB at most, however
 * much it prints. A client that falls further behind misses the oldest
 * pieces; the `result` event still carries all the output.
 */
export const EVENTS_MAX_ENTRIES = 256;
export const EVENT_MAX_BYTES = 16 * 1024;
