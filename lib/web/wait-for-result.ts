import type { Redis } from "ioredis";
import type { Database } from "../db/client";
import { readEvents } from "../executions/events";
import { sharedStreamReader } from "../redis/stream-reader";
import { isFinal } from "../executions/status";

/** Events read per round while waiting. */
const WAIT_BATCH = 32;

/**
 * Waits until the execution is finished (or `timeoutMs` passes); true when it
 * is. The `result` event says so at once; when no event comes for a while,
 * the database is asked (it is the truth: a result event may have been lost).
 */
export async function waitForResult(redis: Redis, db: Database, executionId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  // Waits through the process's one blocking connection (see stream-reader.ts).
  const reader = sharedStreamReader(redis);
  const deadline = Date.now() + timeoutMs;
  let last = "0";
  while (Date.now() < deadline && !signal?.aborted) {
    // Only the result matters here: a few events at a time keeps what one waiting request holds small
    // (an output event can carry up to 16 KiB).
    const events = await readEvents(reader, executionId, last, Math.min(5000, Math.max(1, deadline - Date.now())), WAIT_BATCH, signal);
    for (const e of events) {
      if (e.type === "result") return true;
      last = e.id;
    }
    if (events.length === 0) {
      const row = await db.execution.findUnique({ where: { id: executionId }, select: { status: true } });
      if (!row || isFinal(row.status)) return true;
    }
  }
  return false;
}
