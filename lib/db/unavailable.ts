/**
 * Whether `err` says PostgreSQL cannot be reached right now (stopped,
 * restarting, the connection cut), as opposed to a query that is wrong.
 * A web request then gets 503 `database_unavailable` with Retry-After (see
 * handle() in lib/http/errors.ts), and a runner puts the run back in the
 * queue for a moment without counting an attempt (runner/queue/worker.ts);
 * no process needs a restart (the connection pool reconnects by itself).
 *
 * Prisma's driver adapter passes node-postgres's error on: a socket error
 * code (connect ENOENT when the unix socket is gone, ECONNREFUSED), a
 * PostgreSQL SQLSTATE of class 08 (connection exception) or 57P0x (the
 * server shutting down or starting), or the pool's own messages.
 */
const CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  "P1001",
  "P1002",
  "P1017",
  "P2024",
]);
const MESSAGES =
  /connect (ENOENT|ECONNREFUSED)|\.s\.PGSQL\.\d+|Connection terminated|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery|not yet accepting connections)|Can't reach database server|Server has closed the connection|timeout exceeded when trying to connect|Client has encountered a connection error/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Object; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (typeof code === "string" && CODES.has(code)) return true;
    if (typeof message === "string" && MESSAGES.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
