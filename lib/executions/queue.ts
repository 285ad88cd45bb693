/** Names shared by the web (producer) and the runner (consumer). */
export const EXECUTION_QUEUE = "sam-executions";
export const MAX_ATTEMPTS = 3;

export interface ExecutionJob {
  executionId: string;
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
