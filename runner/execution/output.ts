/**
 * Reads a run's two raw streams as they arrive and makes sense of them:
 *  - the launcher's marker lines on stderr split compiler output from the
 *    program's own output and tell whether compiling succeeded;
 *  - stdout + stderr of the program count against the output limit; once over,
 *    the run is stopped and what is kept is truncated (memory stays bounded
 *    however much a program prints);
 *  - every piece the program prints is handed on (for live streaming) in order.
 *
 * Everything is kept as the exact bytes the program wrote (NUL, control bytes
 * and invalid UTF-8 included). Live pieces are cut at UTF-8 character
 * boundaries: the start of a character whose other bytes have not arrived yet
 * is held back until they do (or the stream ends), so each piece decodes on
 * its own without breaking a character in two.
 */
export type Channel = "stdout" | "stderr";

export interface OutputSink {
  /** A piece of output: `text` is `bytes` decoded as UTF-8 (whole characters). */
  chunk(channel: Channel, text: string, bytes: Buffer): void;
  compiled(ok: boolean): void;
  started(): void;
  overLimit(): void;
}

const NEWLINE = 0x0a;

export class OutputCollector {
  private readonly kept: Record<Channel, Buffer[]> = { stdout: [], stderr: [] };
  /** The start of a character held back from the live stream, per channel. */
  private readonly held: Record<Channel, Buffer> = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
  private readonly compile: Buffer[] = [];
  private compileBytes = 0;
  compileStatus: number | null = null;
  started = false;
  truncated = false;
  private keptBytes = 0;
  private stderrLine: Buffer = Buffer.alloc(0);

  constructor(
    private readonly marker: string,
    private readonly limitBytes: number,
    private readonly sink: OutputSink,
  ) {}

  onStdout(buf: Buffer): void {
    this.program("stdout", buf);
  }

  onStderr(buf: Buffer): void {
    if (this.started) return this.program("stderr", buf);
    // Before the program starts, stderr carries compiler output and the marker lines.
    this.stderrLine = this.stderrLine.length ? Buffer.concat([this.stderrLine, buf]) : buf;
    let newline: number;
    while (!this.started && (newline = this.stderrLine.indexOf(NEWLINE)) >= 0) {
      const line = this.stderrLine.subarray(0, newline);
      this.stderrLine = this.stderrLine.subarray(newline + 1);
      this.launcherLine(line);
    }
    if (this.started && this.stderrLine.length) {
      const rest = this.stderrLine;
      this.stderrLine = Buffer.alloc(0);
      this.program("stderr", rest);
    } else if (this.stderrLine.length > this.limitBytes) {
      // A compiler that prints one endless line: keep what fits, drop the rest.
      this.addCompileOutput(this.stderrLine);
      this.stderrLine = Buffer.alloc(0);
    }
  }

  /** The streams ended: hand on what was held back (an incomplete character at the very end). */
  end(): void {
    for (const channel of ["stdout", "stderr"] as const) this.release(channel);
  }

  private launcherLine(line: Buffer): void {
    // The marker is ASCII; latin1 maps each byte to one character, so any bytes compare safely.
    const text = line.toString("latin1");
    if (text.startsWith(`${this.marker}:compiled:`)) {
      this.compileStatus = Number(text.slice(this.marker.length + 10));
      // The launcher prints a blank line before the marker so it starts a line of its own.
      const last = this.compile.at(-1);
      if (last?.length === 1 && last[0] === NEWLINE) {
        this.compile.pop();
        this.compileBytes -= 1;
      }
      this.sink.compiled(this.compileStatus === 0);
    } else if (text === `${this.marker}:started`) {
      this.started = true;
      this.sink.started();
    } else {
      this.addCompileOutput(line);
      this.addCompileOutput(Buffer.from([NEWLINE]));
    }
  }

  private addCompileOutput(bytes: Buffer): void {
    const room = this.limitBytes - this.compileBytes;
    if (room <= 0) return;
    const piece = bytes.length > room ? bytes.subarray(0, room) : bytes;
    this.compile.push(Buffer.from(piece));
    this.compileBytes += piece.length;
  }

  private program(channel: Channel, buf: Buffer): void {
    if (!buf.length || this.truncated) return;
    const room = this.limitBytes - this.keptBytes;
    let piece = buf;
    if (buf.length > room) {
      piece = buf.subarray(0, Math.max(0, room));
      this.truncated = true;
    }
    if (piece.length) {
      this.keptBytes += piece.length;
      this.kept[channel].push(piece);
      this.live(channel, piece);
    }
    if (this.truncated) {
      this.end();
      this.sink.overLimit();
    }
  }

  /** Hands on whole characters; holds back the start of one that is not complete yet. */
  private live(channel: Channel, piece: Buffer): void {
    const bytes = this.held[channel].length ? Buffer.concat([this.held[channel], piece]) : piece;
    const cut = bytes.length - incompleteTail(bytes);
    this.held[channel] = Buffer.from(bytes.subarray(cut));
    if (cut > 0) this.emit(channel, bytes.subarray(0, cut));
  }

  private release(channel: Channel): void {
    const rest = this.held[channel];
    this.held[channel] = Buffer.alloc(0);
    if (rest.length) this.emit(channel, rest);
  }

  private emit(channel: Channel, bytes: Buffer): void {
    this.sink.chunk(channel, bytes.toString("utf8"), bytes);
  }

  /** Exactly what the program wrote on a channel (up to the limit). */
  bytes(channel: Channel): Buffer {
    return Buffer.concat(this.kept[channel]);
  }

  text(channel: Channel): string {
    return this.bytes(channel).toString("utf8");
  }

  /** What the compiler (and the launcher before the program) printed, up to the limit. */
  get compileOutput(): Buffer {
    return Buffer.concat(this.compile);
  }
}

/**
 * How many bytes at the end of `buf` begin a UTF-8 character whose remaining
 * bytes have not arrived yet (0 to 3). Bytes that can never become a valid
 * character are not held: they are output too, as they are.
 */
export function incompleteTail(buf: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const byte = buf[buf.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: its lead is further back
    const length = byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 1;
    return length > back ? back : 0;
  }
  return 0;
}

/** Splits bytes into pieces of at most `max` bytes, each cut at a character boundary where one is near. */
export function splitAtCharacters(bytes: Buffer, max: number): Buffer[] {
  const pieces: Buffer[] = [];
  let start = 0;
  while (bytes.length - start > max) {
    let end = start + max;
    const back = incompleteTail(bytes.subarray(start, end));
    if (back < end - start) end -= back;
    pieces.push(bytes.subarray(start, end));
    start = end;
  }
  if (start < bytes.length) pieces.push(bytes.subarray(start));
  return pieces;
}
