/**
 * Live output travels runner -> Redis -> web as `output` events, each holding
 * pieces of both channels in the order the program wrote them: a program that
 * writes single bytes alternating stdout and stderr still makes one event per
 * batch, not one per byte (see runner/queue/event-batcher.ts).
 *
 * An event's data is a run of frames: one byte for the channel (0 stdout,
 * 1 stderr), two for the payload's length (big-endian), then the payload. An
 * event holds at most EVENT_MAX_BYTES in all, so a length always fits in two
 * bytes. Consecutive pieces of one channel share a frame.
 */
export type OutputChannel = "stdout" | "stderr";

export const FRAME_HEADER_BYTES = 3;
const CHANNEL_CODE: Record<OutputChannel, number> = { stdout: 0, stderr: 1 };
const CHANNELS: OutputChannel[] = ["stdout", "stderr"];

/** Builds one event's data in a buffer of its own size: frames are written in place, never one object a piece. */
export class FrameWriter {
  private readonly buf: Buffer;
  private used = 0;
  /** Where the frame that pieces of `openChannel` still extend starts. */
  private openAt = -1;
  private openChannel: OutputChannel | null = null;

  constructor(readonly capacity: number) {
    if (capacity > 0xffff + FRAME_HEADER_BYTES) throw new Error("a frame's length must fit in two bytes");
    this.buf = Buffer.allocUnsafe(capacity);
  }

  get size(): number {
    return this.used;
  }

  /** How many payload bytes of `channel` still fit. */
  room(channel: OutputChannel): number {
    const free = this.capacity - this.used;
    return channel === this.openChannel ? free : Math.max(0, free - FRAME_HEADER_BYTES);
  }

  /** Appends bytes that fit (see room()). */
  append(channel: OutputChannel, bytes: Uint8Array): void {
    if (!bytes.length) return;
    if (bytes.length > this.room(channel)) throw new Error("the piece does not fit in this event");
    if (channel !== this.openChannel) {
      this.openAt = this.used;
      this.openChannel = channel;
      this.buf[this.used] = CHANNEL_CODE[channel];
      this.buf.writeUInt16BE(0, this.used + 1);
      this.used += FRAME_HEADER_BYTES;
    }
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
    this.buf.writeUInt16BE(this.used - this.openAt - FRAME_HEADER_BYTES, this.openAt + 1);
  }

  /** The event's data (a view of this writer's buffer: write no more after taking it). */
  data(): Buffer {
    return this.buf.subarray(0, this.used);
  }
}

/** The frames of one `output` event, in order. A malformed tail (never written by the runner) is ignored. */
export function* readFrames(data: Buffer): Generator<{ channel: OutputChannel; bytes: Buffer }> {
  let at = 0;
  while (at + FRAME_HEADER_BYTES <= data.length) {
    const channel = CHANNELS[data[at]!];
    const length = data.readUInt16BE(at + 1);
    const end = at + FRAME_HEADER_BYTES + length;
    if (!channel || end > data.length) return;
    yield { channel, bytes: data.subarray(at + FRAME_HEADER_BYTES, end) };
    at = end;
  }
}
