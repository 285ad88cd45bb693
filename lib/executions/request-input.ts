import type { Database } from "../db/client";
import type { Encoding } from "./encoding";
import { sseEvent } from "./events";

/**
 * The input given with a room run's request (its stdin, typed ahead in the
 * run panel), as the `input` SSE event every watcher gets first: the room
 * shows it in the output as input, like input typed while the run runs (the
 * runner streams only that). Read from PostgreSQL (the request's stdin is
 * stored with the execution, at most MAX_STDIN_BYTES), so a watcher who
 * comes later, or reloads after the run, sees it too. Empty when there was
 * none.
 */
export async function requestInputEvent(db: Database, executionId: string, encoding: Encoding): Promise<string> {
  const row = await db.execution.findUnique({ where: { id: executionId }, select: { stdin: true } });
  const stdin = row?.stdin ? Buffer.from(row.stdin) : Buffer.alloc(0);
  if (stdin.length === 0) return "";
  return sseEvent("input", JSON.stringify(encoding === "base64" ? stdin.toString("base64") : stdin.toString("utf8")));
}
