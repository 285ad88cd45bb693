import type { Redis } from "ioredis";
import type { Logger } from "pino";

/**
 * Calls `stop` once on SIGINT, SIGTERM, or when the supervisor that started
 * this process goes away (its IPC channel closes), then exits.
 */
export function onShutdown(log: Logger, stop: (reason: string) => Promise<void>): void {
  let stopping = false;
  const run = (reason: string) => {
    if (stopping) return;
    stopping = true;
    stop(reason)
      .catch((err) => log.error({ err }, "error while stopping"))
      .finally(() => process.exit(0));
  };
  process.on("SIGINT", () => run("SIGINT"));
  process.on("SIGTERM", () => run("SIGTERM"));
  if (process.send) process.on("disconnect", () => run("supervisor went away"));
}

/** QUIT politely, but never wait long for a Redis that is already gone. */
export async function closeRedis(redis: Redis, timeoutMs = 2000): Promise<void> {
  await Promise.race([redis.quit().catch(() => undefined), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  redis.disconnect();
}

/** Logs a lost Redis connection once (not on every retry) and its recovery. */
export function reportRedisState(redis: Redis, log: Logger): void {
  let down = false;
  redis.on("error", (err) => {
    if (down) return;
    down = true;
    log.warn({ err: err.message }, "lost the Redis connection; retrying");
  });
  redis.on("ready", () => {
    if (!down) return;
    down = false;
    log.info("Redis connection restored");
  });
}
