import pino, { type Logger } from "pino";

/**
 * Paths that may carry a secret anywhere in a log object. pino replaces their
 * values before the line is written, so a password or token can never reach
 * a log file even when a whole request or error object is logged.
 */
const REDACTED_PATHS = [
  "password",
  "*.password",
  "token",
  "*.token",
  "secret",
  "*.secret",
  "passwordHash",
  "*.passwordHash",
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  "*.headers.cookie",
  "cookie",
  "*.cookie",
  "databaseUrl",
  "redisUrl",
];

export function createLogger(service: string, level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({
    level,
    base: { service },
    redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** Connection strings may embed passwords: log only where they point. */
export function describeUrl(url: string): string {
  if (url.startsWith("/")) return `unix:${url.split("?")[0]}`;
  try {
    const u = new URL(url);
    const socketDir = u.searchParams.get("host");
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}${socketDir ? ` (socket ${socketDir})` : ""}`;
  } catch {
    return "(unparseable URL)";
  }
}
