import type { Redis } from "ioredis";
import type { StreamReader } from "../redis/stream-reader";
import { readStreamBuffers } from "../redis/streams";
import { MAX_STDIN_BYTES } from "./request";

/**
 * Input typed into a running interactive program: the API appends it to a
 * Redis stream per execution, and the runner running it passes each piece to
 * the program's stdin in order (`eof` closes it). A stream, not a channel, so
 * input typed before the runner started listening is not lost. What one run
 * may receive in total is capped like a request's stdin.
 */
const key = (executionId: string) => `sam:exec:${executionId}:stdin`;
const bytesKey = (executionId: string) => `sam:exec:${executionId}:stdin-bytes`;
const TTL_SECONDS = 3600;

export interface StdinPiece {
  id: string;
  /** Exactly the bytes typed (any bytes). */
  data: Buffer;
  eof: boolean;
}

/** Appends input; false when it would take the run past the input cap. */
export async function appendStdin(redis: Redis, executionId: string, data: Buffer, eof: boolean): Promise<boolean> {
  const total = await redis.incrby(bytesKey(executionId), data.length);
  await redis.expire(bytesKey(executionId), TTL_SECONDS);
  if (total > MAX_STDIN_BYTES) return false;
  await redis
    .multi()
    .xadd(key(executionId), "*", "data", data, "eof", eof ? "1" : "0")
    .expire(key(executionId), TTL_SECONDS)
    .exec();
  return true;
}

/** Input after `afterId` ("0" for all), waiting up to `blockMs` (through the process's one StreamReader). */
export async function readStdin(reader: StreamReader, executionId: string, afterId: string, blockMs: number, signal?: AbortSignal): Promise<StdinPiece[]> {
  const entries = await readStreamBuffers(reader, key(executionId), afterId, blockMs, 100, signal);
  return entries.map(({ id, fields }) => ({ id, data: fields.data ?? Buffer.alloc(0), eof: fields.eof?.toString() === "1" }));
}

/** The run ended: its input stream and count are no longer needed. */
export async function clearStdin(redis: Redis, executionId: string): Promise<void> {
  await redis.del(key(executionId), bytesKey(executionId));
}
