import type { Redis } from "ioredis";
import { appendEvent } from "../../lib/executions/events";
import type { Channel } from "../execution/output";

/**
 * Output arrives in many small pieces; writing each to Redis would cost more
 * than the program. Pieces of the same channel are joined and written at most
 * every `intervalMs` (or sooner past `maxBytes`), in order.
 */
export class EventBatcher {
  private pending: { channel: Channel; text: string } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly executionId: string,
    private readonly intervalMs = 40,
    private readonly maxBytes = 16 * 1024,
  ) {}

  add(channel: Channel, text: string): void {
    if (this.pending && this.pending.channel !== channel) this.flush();
    this.pending = { channel, text: (this.pending?.text ?? "") + text };
    if (this.pending.text.length >= this.maxBytes) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = undefined;
    if (batch) this.enqueue(() => appendEvent(this.redis, this.executionId, batch.channel, batch.text));
  }

  /** Writes an event after everything before it. */
  event(write: () => Promise<void>): Promise<void> {
    this.flush();
    return this.enqueue(write);
  }

  private enqueue(write: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(write).catch(() => undefined);
    return this.chain;
  }
}
