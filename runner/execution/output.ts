import type { OutputChannel } from "../../lib/executions/output-frames";
import { ByteStore } from "./byte-store";

/**
 * Reads a run's two raw streams as they arrive and makes sense of them:
 *  - the launcher's marker lines on stderr split compiler output from the
 *    program's own output and tell whether compiling succeeded;
 *  - what comes before the program starts (compiler output) is kept up to
 *    COMPILE_OUTPUT_MAX_BYTES, with a note when there was more; past
 *    PRESTART_MAX_BYTES the run is stopped (a compile step cannot print, or
 *    keep the runner reading, without end);
 *  - stdout + stderr of the program count against the output limit; once over,
 *    the run is stopped and what is kept is truncated (memory stays bounded
 *    however much a program prints, and however it writes: see byte-store.ts);
 *  - every piece the program prints is handed on (for live streaming) in order.
 *
 * Everything is kept as the exact bytes the program wrote (NUL, control bytes
 * and invalid UTF-8 included). Live pieces are cut at UTF-8 character
 * boundaries: the start of a character whose other bytes have not arrived yet
 * is held back until they do (or the stream ends), so each piece decodes on
 * its own without breaking a character in two.
 */
export type Channel = OutputChannel;

export interface OutputSink {
  /** A piece of output, whole UTF-8 characters (valid or not). Copy it to keep it: it may be a view of a larger buffer. */
  chunk(channel: Channel, bytes: Buffer): void;
  compiled(ok: boolean): void;
  started(): void;
  overLimit(): void;
}

/** Compiler output kept per run (and stored); beyond it, a note says how much more there was. */
export const COMPILE_OUTPUT_MAX_BYTES = 64 * 1024;
/** Bytes read before the program starts; beyond it the run is stopped (output_limit_exceeded). */
export const PRESTART_MAX_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;
const EMPTY = Buffer.alloc(0);

export class OutputCollector {
  private readonly kept: Record<Channel, ByteStore> = { stdout: new ByteStore(), stderr: new ByteStore() };
  /** The start of a character held back from the live stream, per channel. */
  private readonly held: Record<Channel, Buffer> = { stdout: EMPTY, stderr: EMPTY };
  private readonly compile = new ByteStore(COMPILE_OUTPUT_MAX_BYTES);
  /** Compiler output seen, kept or not. */
  private compileSeen = 0;
  /** Everything read on stderr before the started line. */
  private prestartBytes = 0;
  compileStatus: number | null = null;
  started = false;
  truncated = false;
  /** More than PRESTART_MAX_BYTES came before the program started: the run was stopped. */
  prestartExceeded = false;
  private keptBytes = 0;
  /**
   * The stderr line being read before the program starts, only while it may
   * still be a marker line (the longest is the compiled line): a longer line
   * goes to the compiler output as it comes, so this never grows.
   */
  private line: Buffer = EMPTY;
  private inLongLine = false;
  /** A blank line seen last: the launcher prints one before each marker; kept only if compiler output follows. */
  private blankPending = false;
  private readonly markerLineMax: number;

  constructor(
    private readonly marker: string,
    private readonly limitBytes: number,
    private readonly sink: OutputSink,
  ) {
    this.markerLineMax = marker.length + ":compiled:".length + 12;
  }

  onStdout(buf: Buffer): void {
    this.program("stdout", buf);
  }

  onStderr(buf: Buffer): void {
    if (this.started) return this.program("stderr", buf);
    if (this.prestartExceeded) return;
    this.prestartBytes += buf.length;
    if (this.prestartBytes > PRESTART_MAX_BYTES) {
      this.prestartExceeded = true;
      this.sink.overLimit();
      return;
    }
    // Before the program starts, stderr carries compiler output and the marker lines.
    let at = 0;
    while (at < buf.length && !this.started) {
      const newline = buf.indexOf(NEWLINE, at);
      const end = newline < 0 ? buf.length : newline;
      this.linePart(buf.subarray(at, end));
      if (newline < 0) return;
      this.lineEnd();
      at = newline + 1;
    }
    if (this.started && at < buf.length) this.program("stderr", buf.subarray(at));
  }

  /** The streams ended: hand on what was held back (an incomplete character at the very end). */
  end(): void {
    for (const channel of ["stdout", "stderr"] as const) this.release(channel);
  }

  private linePart(part: Buffer): void {
    if (!part.length) return;
    if (this.inLongLine) return this.addCompileOutput(part);
    this.line = this.line.length ? Buffer.concat([this.line, part]) : Buffer.from(part);
    if (this.line.length > this.markerLineMax) {
      // Too long to be a marker line: compiler output, passed on as it comes.
      this.flushBlank();
      this.addCompileOutput(this.line);
      this.line = EMPTY;
      this.inLongLine = true;
    }
  }

  private lineEnd(): void {
    const line = this.line;
    this.line = EMPTY;
    if (this.inLongLine) {
      this.inLongLine = false;
      this.addCompileOutput(Buffer.from([NEWLINE]));
      return;
    }
    // The marker is ASCII; latin1 maps each byte to one character, so any bytes compare safely.
    const text = line.toString("latin1");
    if (text.startsWith(`${this.marker}:compiled:`)) {
      this.blankPending = false;
      this.compileStatus = Number(text.slice(this.marker.length + 10));
      this.sink.compiled(this.compileStatus === 0);
    } else if (text === `${this.marker}:started`) {
      this.blankPending = false;
      this.started = true;
      this.sink.started();
    } else if (!line.length) {
      this.flushBlank();
      this.blankPending = true;
    } else {
      this.flushBlank();
      this.addCompileOutput(line);
      this.addCompileOutput(Buffer.from([NEWLINE]));
    }
  }

  private flushBlank(): void {
    if (!this.blankPending) return;
    this.blankPending = false;
    this.addCompileOutput(Buffer.from([NEWLINE]));
  }

  private addCompileOutput(bytes: Buffer): void {
    this.compileSeen += bytes.length;
    this.compile.append(bytes);
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
      this.kept[channel].append(piece);
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
    this.held[channel] = cut < bytes.length ? Buffer.from(bytes.subarray(cut)) : EMPTY;
    if (cut > 0) this.sink.chunk(channel, bytes.subarray(0, cut));
  }

  private release(channel: Channel): void {
    const rest = this.held[channel];
    this.held[channel] = EMPTY;
    if (rest.length) this.sink.chunk(channel, rest);
  }

  /** Exactly what the program wrote on a channel (up to the limit). */
  bytes(channel: Channel): Buffer {
    return this.kept[channel].toBuffer();
  }

  /**
   * What the compiler (and the launcher before the program) printed, up to
   * COMPILE_OUTPUT_MAX_BYTES, cut at a character boundary, and a line saying
   * what was left out or that the run was stopped for printing too much.
   */
  get compileOutput(): Buffer {
    const kept = this.compile.toBuffer();
    if (this.prestartExceeded) return Buffer.concat([kept.subarray(0, kept.length - incompleteTail(kept)), Buffer.from(prestartNote())]);
    if (this.compileSeen <= kept.length) return kept;
    return Buffer.concat([kept.subarray(0, kept.length - incompleteTail(kept)), Buffer.from(truncationNote(this.compileSeen))]);
  }
}

/** Ends compiler output that was cut (documented in the README). */
export function truncationNote(seen: number): string {
  return `\n[sam: compile output truncated: the first ${COMPILE_OUTPUT_MAX_BYTES} of ${seen} bytes are shown]\n`;
}

export function prestartNote(): string {
  return `\n[sam: more than ${PRESTART_MAX_BYTES} bytes were printed before the program started; the run was stopped]\n`;
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

/**
 * How many bytes from the start of `bytes` to take when only `room` fit: at
 * most `room`, ending at a character boundary where one is near.
 */
export function fitAtCharacter(bytes: Uint8Array, room: number): number {
  if (bytes.length <= room) return bytes.length;
  const back = incompleteTail(bytes.subarray(0, room));
  return back < room ? room - back : room;
}
