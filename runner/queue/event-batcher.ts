import type { Redis } from "ioredis";
import { appendEvent } from "../../lib/executions/events";
import { EVENT_MAX_BYTES } from "../../lib/executions/queue";
import { splitAtCharacters, type Channel } from "../execution/output";

/** Counts streamed bytes against the run's account; false once its output budget is spent. */
export type StreamAllowance = (bytes: number) => Promise<boolean>;

/**
 * Output arrives in many small pieces; writing each to Redis would cost more
 * than the program. Pieces of the same channel are joined and written at most
 * every `intervalMs` (or sooner past EVENT_MAX_BYTES), in order, as the exact
 * bytes, in events of at most EVENT_MAX_BYTES cut at character boundaries.
 * Each write is first counted against the account's output budget: once it is
 * spent, one `notice` event says so and no more output is streamed for this
 * run (the result still holds all of it).
 */
export class EventBatcher {
  private pending: { channel: Channel; pieces: Buffer[]; bytes: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private streaming = true;

  constructor(
    private readonly redis: Redis,
    private readonly executionId: string,
    private readonly allowance?: StreamAllowance,
    private readonly intervalMs = 40,
  ) {}

  add(channel: Channel, bytes: Buffer): void {
    if (!this.streaming || !bytes.length) return;
    if (this.pending && this.pending.channel !== channel) this.flush();
    this.pending ??= { channel, pieces: [], bytes: 0 };
    this.pending.pieces.push(bytes);
    this.pending.bytes += bytes.length;
    if (this.pending.bytes >= EVENT_MAX_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = undefined;
    if (batch) this.enqueue(() => this.write(batch.channel, Buffer.concat(batch.pieces, batch.bytes)));
  }

  /** Writes an event after everything before it. */
  event(write: () => Promise<void>): Promise<void> {
    this.flush();
    return this.enqueue(write);
  }

  private async write(channel: Channel, bytes: Buffer): Promise<void> {
    if (!this.streaming) return;
    if (this.allowance && !(await this.allowance(bytes.length))) {
      this.streaming = false;
      await appendEvent(this.redis, this.executionId, "notice", {
        code: "output_budget_exhausted",
        message: "Your account has streamed as much output as it may for now, so this run's output is no longer shown live; it is still kept and comes with the result.",
      });
      return;
    }
    for (const piece of splitAtCharacters(bytes, EVENT_MAX_BYTES)) await appendEvent(this.redis, this.executionId, channel, piece);
  }

  private enqueue(write: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(write).catch(() => undefined);
    return this.chain;
  }
}
