import { ExecutionStatus } from "../db/generated/enums";

/**
 * Every state an execution can be in; all but queued and running are final.
 * The one list is the database's enum (prisma/schema.prisma): the type
 * Prisma returns for `Execution.status` is this one, so no cast is needed.
 */
export { ExecutionStatus };
export const EXECUTION_STATUSES = Object.values(ExecutionStatus) as [ExecutionStatus, ...ExecutionStatus[]];

export function isFinal(status: ExecutionStatus): boolean {
  return status !== "queued" && status !== "running";
}
