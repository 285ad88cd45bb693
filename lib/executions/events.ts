import type { Redis } from "ioredis";
import { readNow, type StreamEntry, type StreamReader } from "../redis/stream-reader";
import { readStreamBuffers } from "../redis/streams";
import type { Encoding } from "./encoding";
import { readFrames, type OutputChannel } from "./output-frames";
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
 * output: the program's output, pieces of stdout and stderr in order, as
 * frames (see output-frames.ts); each client gets them as `stdout` and
 * `stderr` events. stdin: input typed into an interactive run, shown to
 * everyone watching it. notice: something a watcher should know, {code,
 * message} (e.g. the account's output budget ran out, so output is no longer
 * streamed live).
 */
export type ExecutionEventType = "status" | "output" | "stdin" | "notice" | "result";

/** What a client sees: `output` events become `stdout` and `stderr` events. */
export type ClientEventType = Exclude<ExecutionEventType, "output"> | OutputChannel;

/** Events whose data is program bytes (the others carry JSON). */
export const BYTE_EVENTS: ReadonlySet<ExecutionEventType> = new Set(["output", "stdin"]);

export interface ExecutionEvent {
  id: string;
  type: ExecutionEventType;
  data: Buffer;
}

/** Appends an event: bytes as they are, anything else as JSON. The stream is capped and expires (see queue.ts). */
export async function appendEvent(redis: Redis, executionId: string, type: ExecutionEventType, data: unknown): Promise<void> {
  await appendEvents(redis, executionId, [{ type, data }]);
}

/** Appends several events in one round trip, in order. */
export async function appendEvents(redis: Redis, executionId: string, events: Array<{ type: ExecutionEventType; data: unknown }>): Promise<void> {
  if (!events.length) return;
  const key = eventsKey(executionId);
  const multi = redis.multi();
  for (const { type, data } of events) {
    const payload = Buffer.isBuffer(data) ? data : typeof data === "string" ? data : JSON.stringify(data);
    multi.xadd(key, "MAXLEN", "~", EVENTS_MAX_ENTRIES, "*", "type", type, "data", payload);
  }
  const last = events.at(-1)!.type;
  await multi.expire(key, last === "result" ? EVENTS_TTL_AFTER_RESULT_SECONDS : EVENTS_TTL_SECONDS).exec();
}

export async function resetEvents(redis: Redis, executionId: string): Promise<void> {
  await redis.del(eventsKey(executionId));
}

/**
 * Events after `afterId` ("0" for all), at most `count`, waiting up to
 * `blockMs` for new ones (through the process's one StreamReader; `signal`
 * ends the wait). An event holds at most EVENT_MAX_BYTES of output, so
 * `count` bounds what one read holds.
 */
export async function readEvents(
  reader: StreamReader,
  executionId: string,
  afterId: string,
  blockMs: number,
  count = 500,
  signal?: AbortSignal,
): Promise<ExecutionEvent[]> {
  return (await readStreamBuffers(reader, eventsKey(executionId), afterId, blockMs, count, signal)).map(toEvent);
}

/** The events after `afterId` there are now, without waiting (on any connection). */
export async function readEventsNow(redis: Redis, executionId: string, afterId: string, count = 500): Promise<ExecutionEvent[]> {
  return (await readNow(redis, eventsKey(executionId), afterId, count)).map(toEvent);
}

function toEvent({ id, fields }: StreamEntry): ExecutionEvent {
  return { id, type: (fields.type?.toString() ?? "status") as ExecutionEventType, data: fields.data ?? Buffer.alloc(0) };
}

/**
 * Turns one client's events into SSE text: program bytes as a JSON string in
 * the client's encoding (an `output` event becomes one `stdout` or `stderr`
 * event per frame), everything else as the JSON it is. The event's id goes on
 * the last SSE event it becomes, so a client that resumes (Last-Event-ID)
 * gets an event whole. Text is decoded per channel as a stream, so a
 * character whose bytes arrived in two events is never broken (the runner
 * cuts events at character boundaries too).
 */
export class EventFormatter {
  private readonly decoders = new Map<ClientEventType, TextDecoder>();

  constructor(private readonly encoding: Encoding) {}

  /** The SSE text of one event (empty if it shows nothing). */
  sse(event: ExecutionEvent): string {
    if (event.type !== "output") return sseEvent(event.type, this.data(event.type, event.data), event.id);
    const parts: string[] = [];
    for (const frame of readFrames(event.data)) parts.push(sseEvent(frame.channel, this.data(frame.channel, frame.bytes)));
    if (!parts.length) return "";
    parts[parts.length - 1] = `id: ${event.id}\n${parts.at(-1)}`;
    return parts.join("");
  }

  private data(type: ClientEventType, data: Buffer): string {
    if (type !== "stdout" && type !== "stderr" && type !== "stdin") return data.toString("utf8");
    if (this.encoding === "base64") return JSON.stringify(data.toString("base64"));
    let decoder = this.decoders.get(type);
    if (!decoder) this.decoders.set(type, (decoder = new TextDecoder("utf-8")));
    return JSON.stringify(decoder.decode(data, { stream: true }));
  }

  /** At the end: whatever a channel still held (an incomplete character, shown as U+FFFD), as SSE text. */
  rest(): string {
    let out = "";
    for (const [type, decoder] of this.decoders) {
      const text = decoder.decode();
      if (text) out += sseEvent(type, JSON.stringify(text));
    }
    return out;
  }
}

/** One SSE event; `data` is one line (JSON has no raw newlines). */
export function sseEvent(type: string, data: string, id?: string): string {
  return `${id ? `id: ${id}\n` : ""}event: ${type}\ndata: ${data}\n\n`;
}
