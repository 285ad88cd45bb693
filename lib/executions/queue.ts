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
/** How long the event stream of a finished run stays in Redis (the database keeps the result). */
export const EVENTS_TTL_SECONDS = 3600;
