/**
 * Whether `err` says Redis cannot be reached right now (stopped, restarting).
 * The web process's shared connection gives up on a command after two
 * reconnect attempts (lib/redis/connection.ts) rather than holding the
 * request: such a request gets 503 `queue_unavailable` with Retry-After (see
 * handle() in errors.ts), and the connection reconnects by itself.
 */
const NAMES = new Set(["MaxRetriesPerRequestError"]);
const MESSAGES = /Reached the max retries per request limit|^Connection is closed\.?$|Stream isn't writeable and enableOfflineQueue options is false/;

export function isRedisUnavailable(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (NAMES.has(current.name) || MESSAGES.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}
