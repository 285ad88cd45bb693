import type { Redis } from "ioredis";
import { readEvents } from "../executions/events";

/** Waits until the execution's `result` event appears (or `timeoutMs` passes); true when it did. */
export async function waitForResult(redis: Redis, executionId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  // XREAD BLOCK holds its connection, so it gets one of its own.
  const conn = redis.duplicate();
  const deadline = Date.now() + timeoutMs;
  let last = "0";
  try {
    while (Date.now() < deadline && !signal?.aborted) {
      const events = await readEvents(conn, executionId, last, Math.min(5000, Math.max(1, deadline - Date.now())));
      for (const e of events) {
        if (e.type === "result") return true;
        last = e.id;
      }
    }
    return false;
  } finally {
    conn.disconnect();
  }
}
