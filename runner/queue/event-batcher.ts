import type { Redis } from "ioredis";
import { appendEvent, appendEvents } from "../../lib/executions/events";
import { FrameWriter } from "../../lib/executions/output-frames";
import { EVENT_MAX_BYTES } from "../../lib/executions/queue";
import { fitAtCharacter, type Channel } from "../execution/output";

/** Counts streamed bytes against the run's account; false once its output budget is spent. */
export type StreamAllowance = (bytes: number) => Promise<boolean>;

/**
 * Output waiting for Redis, per run, at most: past it, pieces are not streamed
 * live (a `notice` says so once); the stored result still has all of it.
 */
export const LIVE_BACKLOG_MAX_BYTES = 1024 * 1024;
/** Events written in one round trip to Redis (one MULTI). */
const EVENTS_PER_WRITE = 16;
/** How long the end of a run waits for live output still on its way before dropping it. */
export const END_DRAIN_MS = 2_000;
/** And then for the result event itself (a Redis that does not answer must not hold the runner's slot). */
const RESULT_WAIT_MS = 3_000;

type Item = { kind: "output"; events: FrameWriter[]; bytes: number } | { kind: "event"; write: () => Promise<void>; settled: () => void };

const SKIPPED_NOTICE = {
  code: "live_output_skipped",
  message:
    "This run printed faster than its output could be shown live, so part of it was not shown here; all of it (up to the output limit) comes with the result.",
};
const BUDGET_NOTICE = {
  code: "output_budget_exhausted",
  message:
    "Your account has streamed as much output as it may for now, so this run's output is no longer shown live; it is still kept and comes with the result.",
};

/**
 * Live output on its way to Redis. Output arrives in pieces of any size, as
 * small as one byte, on both channels; writing each to Redis would cost more
 * than the program. Pieces of both channels are appended, in order, to
 * `output` events of at most EVENT_MAX_BYTES (frames written in place, see
 * output-frames.ts), and one writer sends whatever has gathered, up to
 * EVENTS_PER_WRITE events a round trip: the slower Redis answers, the larger
 * each write, so the number of writes never follows the number of pieces.
 *
 * Bounded: at most LIVE_BACKLOG_MAX_BYTES wait; beyond that pieces are
 * dropped from the live stream (one `notice` says so). Each write is first
 * counted against the account's output budget: once it is spent, one
 * `notice` says so and no more output is streamed for this run. Either way
 * the result holds everything up to the output limit. Other events (status,
 * typed input, the result) keep their place in the order.
 */
export class EventBatcher {
  private readonly queue: Item[] = [];
  /** Output bytes (with their frames) waiting in the queue. */
  private backlog = 0;
  private writing = false;
  private timer: NodeJS.Timeout | undefined;
  /** False once the account's output budget is spent. */
  private streaming = true;
  private skipped = false;
  private ended = false;
  /** Output bytes counted against the account's output budget so far (streamed or refused). */
  counted = 0;

  constructor(
    private readonly redis: Redis,
    private readonly executionId: string,
    private readonly allowance?: StreamAllowance,
    private readonly intervalMs = 40,
  ) {}

  /** A piece of output (whole characters); copied, so the caller's buffer is not kept. */
  add(channel: Channel, bytes: Buffer): void {
    if (!this.streaming || this.ended || !bytes.length) return;
    if (this.backlog + bytes.length > LIVE_BACKLOG_MAX_BYTES) return this.skip();
    let offset = 0;
    while (offset < bytes.length) {
      const writer = this.writerWithRoom(channel);
      const rest = bytes.subarray(offset);
      const take = fitAtCharacter(rest, writer.room(channel));
      const before = writer.size;
      writer.append(channel, rest.subarray(0, take));
      this.backlog += writer.size - before;
      (this.queue.at(-1) as Extract<Item, { kind: "output" }>).bytes += take;
      offset += take;
    }
    if (this.writing) return;
    // A full event goes at once; a small piece waits a moment for others to join it.
    const tail = this.queue.at(-1) as Extract<Item, { kind: "output" }>;
    if (tail.events.length > 1 || tail.events[0]!.size >= EVENT_MAX_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  /** Sends what has gathered now rather than after the interval. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pump(true);
  }

  /** Writes an event after everything before it; resolves once written (or failed: never rejects). */
  event(write: () => Promise<void>): Promise<void> {
    return new Promise<void>((settled) => {
      this.queue.push({ kind: "event", write, settled });
      this.flush();
    });
  }

  /**
   * The run is over: `write` (the result event) goes after the output still
   * waiting, but the end never waits long on a backlog: output not written
   * within `drainMs` is dropped from the live stream (the result has it), and
   * this resolves after RESULT_WAIT_MS more even if Redis has not answered
   * (the write goes on in the background; watchers fall back to the database).
   */
  finish(write: () => Promise<void>, drainMs = END_DRAIN_MS): Promise<void> {
    this.ended = true;
    clearTimeout(this.timer);
    const done = this.event(write);
    const timers: NodeJS.Timeout[] = [setTimeout(() => this.dropWaitingOutput(), drainMs)];
    const gaveUp = new Promise<void>((resolve) => timers.push(setTimeout(resolve, drainMs + RESULT_WAIT_MS)));
    return Promise.race([done, gaveUp]).finally(() => timers.forEach(clearTimeout));
  }

  private writerWithRoom(channel: Channel): FrameWriter {
    let tail = this.queue.at(-1);
    if (tail?.kind !== "output") {
      tail = { kind: "output", events: [], bytes: 0 };
      this.queue.push(tail);
    }
    const last = tail.events.at(-1);
    // At least 4 bytes free: room for any one character.
    if (last && last.room(channel) >= 4) return last;
    if (tail.events.length >= EVENTS_PER_WRITE) {
      tail = { kind: "output", events: [], bytes: 0 };
      this.queue.push(tail);
    }
    const writer = new FrameWriter(EVENT_MAX_BYTES);
    tail.events.push(writer);
    return writer;
  }

  private skip(): void {
    if (this.skipped) return;
    this.skipped = true;
    this.queue.push({ kind: "event", write: () => appendEvent(this.redis, this.executionId, "notice", SKIPPED_NOTICE), settled: () => undefined });
  }

  private dropWaitingOutput(): void {
    const waiting = this.queue.filter((item) => item.kind === "output");
    if (!waiting.length) return;
    for (const item of waiting) this.queue.splice(this.queue.indexOf(item), 1);
    this.backlog = 0;
    if (!this.skipped) {
      this.skipped = true;
      // Before the result (the last item), which is still waiting too.
      this.queue.splice(Math.max(0, this.queue.length - 1), 0, {
        kind: "event",
        write: () => appendEvent(this.redis, this.executionId, "notice", SKIPPED_NOTICE),
        settled: () => undefined,
      });
    }
  }

  /**
   * One writer at a time, each write taking everything gathered so far. A
   * last, partly filled event waits up to the interval for more pieces unless
   * it is `due` (its timer fired) or the run has ended: otherwise a fast Redis
   * would be written once per round trip, as often as the program writes.
   */
  private pump(due = false): void {
    if (this.writing) return;
    this.writing = true;
    void (async () => {
      for (let item = this.queue[0]; item; item = this.queue[0]) {
        if (!due && !this.ended && item.kind === "output" && this.queue.length === 1 && isPartial(item)) {
          this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
          break;
        }
        due = false;
        this.queue.shift();
        if (item.kind === "event") {
          await item.write().catch(() => undefined);
          item.settled();
        } else {
          this.backlog -= item.events.reduce((n, w) => n + w.size, 0);
          await this.writeOutput(item).catch(() => undefined);
        }
      }
      this.writing = false;
    })();
  }

  private async writeOutput(item: Extract<Item, { kind: "output" }>): Promise<void> {
    if (!this.streaming) return;
    if (this.allowance) {
      this.counted += item.bytes;
      if (!(await this.allowance(item.bytes))) {
        this.streaming = false;
        await appendEvent(this.redis, this.executionId, "notice", BUDGET_NOTICE);
        return;
      }
    }
    await appendEvents(
      this.redis,
      this.executionId,
      item.events.map((w) => ({ type: "output" as const, data: w.data() })),
    );
  }
}

/** One event, not yet full: worth waiting a moment for more pieces to join it. */
function isPartial(item: Extract<Item, { kind: "output" }>): boolean {
  return item.events.length === 1 && item.events[0]!.size < EVENT_MAX_BYTES;
}
