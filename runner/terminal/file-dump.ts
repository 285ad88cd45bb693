import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { FILES_ANSWER_TTL_SECONDS, filesAnswerKey } from "../../lib/terminals/files";

/** The most one answer may be (the wrapper keeps the files it lists to 1 MiB of text; base64 and JSON add to it). */
const MAX_LINE_BYTES = 4 * 1024 * 1024;
const PREFIX = "SAMFILES ";

/**
 * The pseudo-terminal wrapper answers "which files are in /work" on its own
 * stderr (the shell's output goes to the terminal, stdout), one line each:
 * "SAMFILES <request id> <base64 of the JSON>". This reads those lines from
 * the terminal's stderr and leaves each answer in Redis for the web route
 * (lib/terminals/files.ts); anything else on stderr is passed on as output.
 * A line longer than MAX_LINE_BYTES is dropped: the route then says no answer came.
 */
export class FileDumpReader {
  private pending: Buffer[] = [];
  private size = 0;
  private overflow = false;

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
    private readonly executionId: string,
    private readonly passOn: (bytes: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    let rest = chunk;
    for (;;) {
      const nl = rest.indexOf(0x0a);
      if (nl < 0) break;
      this.take(rest.subarray(0, nl));
      this.line();
      rest = rest.subarray(nl + 1);
    }
    this.take(rest);
  }

  private take(bytes: Buffer): void {
    if (!bytes.length) return;
    if (this.size + bytes.length > MAX_LINE_BYTES) {
      this.overflow = true;
      this.pending = [];
      this.size = 0;
      return;
    }
    this.pending.push(Buffer.from(bytes));
    this.size += bytes.length;
  }

  private line(): void {
    const text = Buffer.concat(this.pending).toString("latin1");
    const overflow = this.overflow;
    this.pending = [];
    this.size = 0;
    this.overflow = false;
    if (overflow) return;
    const match = /^SAMFILES ([0-9a-f]{16}) ([A-Za-z0-9+/=]*)$/.exec(text);
    if (!match) {
      if (text.length && !text.startsWith(PREFIX)) this.passOn(Buffer.from(`${text}\n`, "latin1"));
      return;
    }
    const json = Buffer.from(match[2]!, "base64").toString("utf8");
    void this.redis
      .set(filesAnswerKey(this.executionId, match[1]!), json, "EX", FILES_ANSWER_TTL_SECONDS)
      .catch((err: Error) => this.log.warn({ executionId: this.executionId, err: err.message }, "could not pass a terminal's files on"));
  }
}
