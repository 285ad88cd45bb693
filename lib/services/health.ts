import type { Redis } from "ioredis";
import type { Database } from "../db/client";

export type Check = "ok" | "error";

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);
}

export async function checkDatabase(db: Database, timeoutMs = 2000): Promise<Check> {
  try {
    await withTimeout(db.$queryRaw`SELECT 1`, timeoutMs);
    return "ok";
  } catch {
    return "error";
  }
}

export async function checkRedis(redis: Redis, timeoutMs = 2000): Promise<Check> {
  try {
    return (await withTimeout(redis.ping(), timeoutMs)) === "PONG" ? "ok" : "error";
  } catch {
    return "error";
  }
}
