import type { Logger } from "pino";

/**
 * At most `lines` log lines per `windowMs` for a kind of event that anyone
 * can cause at will (a socket closed, a connection refused): thousands of
 * sockets must not write thousands of lines. The first line after a quiet
 * spell says how many were left out before it.
 */
export class LogThrottle {
  private windowStart = 0;
  private written = 0;
  private skipped = 0;

  constructor(
    private readonly lines = 20,
    private readonly windowMs = 10_000,
  ) {}

  info(log: Logger, fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    if (now - this.windowStart >= this.windowMs) {
      this.windowStart = now;
      this.written = 0;
    }
    if (this.written >= this.lines) {
      this.skipped += 1;
      return;
    }
    this.written += 1;
    const skipped = this.skipped;
    this.skipped = 0;
    log.info(skipped > 0 ? { ...fields, notLoggedBefore: skipped } : fields, message);
  }
}
