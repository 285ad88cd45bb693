import { isUuid } from "../http/ids";
import { ApiError } from "../http/errors";
import { web } from "../web/context";
import { executionServices } from "../web/executions";
import type { DeadLetterDeps } from "./dead-letters";

/** The web process's database, Redis and execution queue, for the admin routes and page. */
export function adminDeps(): DeadLetterDeps {
  const { db, redis } = web();
  return { db, redis, queue: executionServices().queue };
}

/** A dead letter's id is its execution's: a malformed one is simply not found. */
export function deadLetterId(id: string): string {
  if (!isUuid(id)) throw new ApiError(404, "dead_letter_not_found", `No dead letter for execution ${id}; execution ids are UUIDs.`);
  return id.toLowerCase();
}
