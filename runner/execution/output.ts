/**
 * Reads a run's two raw streams as they arrive and makes sense of them:
 *  - the launcher's marker lines on stderr split compiler output from the
 *    program's own output and tell whether compiling succeeded;
 *  - stdout + stderr of the program count against the output limit; once over,
 *    the run is stopped and what is kept is truncated (memory stays bounded
 *    however much a program prints);
 *  - every piece the program prints is handed on (for live streaming) in order.
 */
export type Channel = "stdout" | "stderr";

export interface OutputSink {
  chunk(channel: Channel, text: string): void;
  compiled(ok: boolean): void;
  started(): void;
  overLimit(): void;
}

export class OutputCollector {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  compileOutput = "";
  compileStatus: number | null = null;
  started = false;
  truncated = false;
  private kept = 0;
  private seen = 0;
  private stderrLine = "";

  constructor(
    private readonly marker: string,
    private readonly limitBytes: number,
    private readonly sink: OutputSink,
  ) {}

  onStdout(buf: Buffer): void {
    this.program("stdout", buf.toString("utf8"));
  }

  onStderr(buf: Buffer): void {
    if (this.started) return this.program("stderr", buf.toString("utf8"));
    // Before the program starts, stderr carries compiler output and the marker lines.
    this.stderrLine += buf.toString("utf8");
    let newline: number;
    while (!this.started && (newline = this.stderrLine.indexOf("\n")) >= 0) {
      const line = this.stderrLine.slice(0, newline);
      this.stderrLine = this.stderrLine.slice(newline + 1);
      this.launcherLine(line);
    }
    if (this.started && this.stderrLine) {
      const rest = this.stderrLine;
      this.stderrLine = "";
      this.program("stderr", rest);
    } else if (this.compileOutput.length > this.limitBytes) {
      this.compileOutput = this.compileOutput.slice(0, this.limitBytes);
    }
  }

  private launcherLine(line: string): void {
    if (line.startsWith(`${this.marker}:compiled:`)) {
      this.compileStatus = Number(line.slice(this.marker.length + 10));
      // The launcher prints a blank line before the marker so it starts a line of its own.
      this.compileOutput = this.compileOutput.replace(/\n$/, "");
      this.sink.compiled(this.compileStatus === 0);
    } else if (line === `${this.marker}:started`) {
      this.started = true;
      this.sink.started();
    } else if (this.compileOutput.length <= this.limitBytes) {
      this.compileOutput += `${line}\n`;
    }
  }

  private program(channel: Channel, text: string): void {
    if (!text) return;
    this.seen += Buffer.byteLength(text);
    if (this.truncated) return;
    const room = this.limitBytes - this.kept;
    let piece = text;
    if (Buffer.byteLength(text) > room) {
      piece = Buffer.from(text).subarray(0, Math.max(0, room)).toString("utf8");
      this.truncated = true;
    }
    if (piece) {
      this.kept += Buffer.byteLength(piece);
      this[channel].push(piece);
      this.sink.chunk(channel, piece);
    }
    if (this.truncated) this.sink.overLimit();
  }

  text(channel: Channel): string {
    return this[channel].join("");
  }
}
