import { Redis, type RedisOptions } from "ioredis";

/**
 * REDIS_URL is either redis://[:password@]host:port[/db] (rediss:// for TLS) or
 * an absolute unix socket path with an optional ?password=... query, the form the
 * embedded Redis uses.
 */
export function createRedis(redisUrl: string, options: RedisOptions = {}): Redis {
  return new Redis(redisUrl, {
    // BullMQ workers need blocking commands that never time out.
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    lazyConnect: false,
    ...options,
  });
}

const holder = globalThis as typeof globalThis & { __samRedis?: Redis };

/** The process's shared Redis connection, for route handlers. */
export function redis(): Redis {
  if (!holder.__samRedis) {
    const url = process.env.REDIS_URL;
    if (!url) throw new Error("REDIS_URL is not set for this process");
    // Requests should fail fast with a clear error instead of hanging while Redis is down.
    holder.__samRedis = createRedis(url, { maxRetriesPerRequest: 2, connectTimeout: 5000 });
    holder.__samRedis.on("error", () => {
      /* reported by the health route; ioredis reconnects by itself */
    });
  }
  return holder.__samRedis;
}
