/** Every state an execution can be in; the last eight are final. */
export const EXECUTION_STATUSES = [
  "queued",
  "running",
  "succeeded",
  "failed",
  "compile_error",
  "time_limit_exceeded",
  "memory_limit_exceeded",
  "output_limit_exceeded",
  "cancelled",
  "internal_error",
] as const;

export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export function isFinal(status: ExecutionStatus): boolean {
  return status !== "queued" && status !== "running";
}
