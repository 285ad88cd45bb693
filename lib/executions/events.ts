import type { Redis } from "ioredis";
import { readStreamBuffers } from "../redis/streams";
import type { Encoding } from "./encoding";
import { eventsKey, EVENTS_MAX_ENTRIES, EVENTS_TTL_AFTER_RESULT_SECONDS, EVENTS_TTL_SECONDS } from "./queue";

/**
 * The live event stream of one execution, kept in a Redis stream so a client
 * that connects late first replays what is still there, then follows live.
 * Output travels runner -> Redis -> SSE as the exact bytes the program wrote;
 * each client gets them in the form it asked for (see encoding.ts). The
 * `result` event carries the execution without its output: the output is in
 * PostgreSQL, and the SSE route reads it from there, so Redis never holds it
 * twice. Job progress events are not used (BullMQ trims them).
 */
/**
 * stdin: input typed into an interactive run, shown to everyone watching it.
 * notice: something a watcher should know, {code, message} (e.g. the account's
 * output budget ran out, so output is no longer streamed live).
 */
export type ExecutionEventType = "status" | "stdout" | "stderr" | "stdin" | "notice" | "result";

/** Events whose data is program bytes (the others carry JSON). */
export const BYTE_EVENTS: ReadonlySet<ExecutionEventType> = new Set(["stdout", "stderr", "stdin"]);

export interface ExecutionEvent {
  id: string;
  type: ExecutionEventType;
  data: Buffer;
}

/** Appends an event: bytes as they are, anything else as JSON. The stream is capped and expires (see queue.ts). */
export async function appendEvent(redis: Redis, executionId: string, type: ExecutionEventType, data: unknown): Promise<void> {
  const key = eventsKey(executionId);
  const payload = Buffer.isBuffer(data) ? data : typeof data === "string" ? data : JSON.stringify(data);
  await redis
    .multi()
    .xadd(key, "MAXLEN", "~", EVENTS_MAX_ENTRIES, "*", "type", type, "data", payload)
    .expire(key, type === "result" ? EVENTS_TTL_AFTER_RESULT_SECONDS : EVENTS_TTL_SECONDS)
    .exec();
}

export async function resetEvents(redis: Redis, executionId: string): Promise<void> {
  await redis.del(eventsKey(executionId));
}

/** Events after `afterId` ("0" for all), waiting up to `blockMs` for new ones. Use a connection of its own: XREAD BLOCK holds it. */
export async function readEvents(redis: Redis, executionId: string, afterId: string, blockMs: number): Promise<ExecutionEvent[]> {
  const entries = await readStreamBuffers(redis, eventsKey(executionId), afterId, blockMs, 500);
  return entries.map(({ id, fields }) => ({ id, type: (fields.type?.toString() ?? "status") as ExecutionEventType, data: fields.data ?? Buffer.alloc(0) }));
}

/**
 * Turns one client's events into SSE data lines: program bytes as a JSON
 * string in the client's encoding, everything else as the JSON it is. Text is
 * decoded per channel as a stream, so a character whose bytes arrived in two
 * events is never broken (the runner cuts events at character boundaries too).
 */
export class EventFormatter {
  private readonly decoders = new Map<ExecutionEventType, TextDecoder>();

  constructor(private readonly encoding: Encoding) {}

  data(event: Pick<ExecutionEvent, "type" | "data">): string {
    if (!BYTE_EVENTS.has(event.type)) return event.data.toString("utf8");
    if (this.encoding === "base64") return JSON.stringify(event.data.toString("base64"));
    let decoder = this.decoders.get(event.type);
    if (!decoder) this.decoders.set(event.type, (decoder = new TextDecoder("utf-8")));
    return JSON.stringify(decoder.decode(event.data, { stream: true }));
  }

  /** At the end: whatever a channel still held (an incomplete character, shown as U+FFFD), as [type, data] pairs. */
  rest(): Array<[ExecutionEventType, string]> {
    const out: Array<[ExecutionEventType, string]> = [];
    for (const [type, decoder] of this.decoders) {
      const text = decoder.decode();
      if (text) out.push([type, JSON.stringify(text)]);
    }
    return out;
  }
}
