import type { Redis } from "ioredis";
import { readStream } from "../redis/streams";
import { eventsKey, EVENTS_TTL_SECONDS } from "./queue";

/**
 * The live event stream of one execution, kept in a Redis stream so a client
 * that connects late first replays everything so far, then follows live.
 * Output travels runner -> Redis -> SSE; job progress events are not used
 * (BullMQ trims them).
 */
/** stdin: input typed into an interactive run, shown to everyone watching it. */
export type ExecutionEventType = "status" | "stdout" | "stderr" | "stdin" | "result";

export interface ExecutionEvent {
  id: string;
  type: ExecutionEventType;
  data: string;
}

export async function appendEvent(redis: Redis, executionId: string, type: ExecutionEventType, data: unknown): Promise<void> {
  const key = eventsKey(executionId);
  const payload = typeof data === "string" ? data : JSON.stringify(data);
  const pipeline = redis.multi().xadd(key, "*", "type", type, "data", payload);
  // Until the result, the stream lives as long as a run can; afterwards an hour, for late readers.
  pipeline.expire(key, type === "result" ? EVENTS_TTL_SECONDS : EVENTS_TTL_SECONDS * 2);
  await pipeline.exec();
}

export async function resetEvents(redis: Redis, executionId: string): Promise<void> {
  await redis.del(eventsKey(executionId));
}

/** Events after `afterId` ("0" for all), waiting up to `blockMs` for new ones. Use a connection of its own: XREAD BLOCK holds it. */
export async function readEvents(redis: Redis, executionId: string, afterId: string, blockMs: number): Promise<ExecutionEvent[]> {
  const entries = await readStream(redis, eventsKey(executionId), afterId, blockMs, 500);
  return entries.map(({ id, fields }) => ({ id, type: fields.type as ExecutionEventType, data: fields.data ?? "" }));
}
