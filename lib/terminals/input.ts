import type { Redis } from "ioredis";
import type { StreamReader } from "../redis/stream-reader";
import { readStreamBuffers } from "../redis/streams";

/**
 * Keys typed into a room's terminal and its window sizes, on their way to the
 * runner: a Redis stream per terminal (input typed before the runner listens
 * is not lost), read by runner/terminal/session.ts in order. Bounded: each
 * piece by the route, the whole session by MAX_TERMINAL_INPUT_BYTES.
 */
const key = (executionId: string) => `sam:term:${executionId}:input`;
const bytesKey = (executionId: string) => `sam:term:${executionId}:input-bytes`;
const lastInputKey = (executionId: string) => `sam:term:${executionId}:last-input`;
const TTL_SECONDS = 24 * 3600;

/** Everything one terminal may be sent in its whole life (keys and pastes): far more than anyone types. */
export const MAX_TERMINAL_INPUT_BYTES = 8 * 1024 * 1024;

export interface TerminalInput {
  id: string;
  data: Buffer;
  /** A new window size, when the piece carries one. */
  size?: { cols: number; rows: number };
  /** A request for the project folder's files (lib/terminals/files.ts). */
  filesRequest?: string;
}

/** Appends input and/or a window size; false when it would take the terminal past its input cap. */
export async function appendTerminalInput(redis: Redis, executionId: string, data: Buffer, size?: { cols: number; rows: number }): Promise<boolean> {
  const total = await redis.incrby(bytesKey(executionId), data.length);
  await redis.expire(bytesKey(executionId), TTL_SECONDS);
  if (total > MAX_TERMINAL_INPUT_BYTES) return false;
  const fields: Array<string | Buffer> = ["data", data];
  if (size) fields.push("size", `${size.cols},${size.rows}`);
  const tx = redis
    .multi()
    .xadd(key(executionId), "MAXLEN", "~", 10_000, "*", ...fields)
    .expire(key(executionId), TTL_SECONDS);
  // Keys typed (not a mere resize) count as activity: the room's page shows when the idle timeout comes.
  if (data.length > 0) tx.set(lastInputKey(executionId), String(Date.now()), "EX", TTL_SECONDS);
  await tx.exec();
  return true;
}

/** Asks the runner for the terminal's project folder; the answer comes under the request's id (lib/terminals/files.ts). */
export async function askForFiles(redis: Redis, executionId: string, requestId: string): Promise<void> {
  await redis.multi().xadd(key(executionId), "MAXLEN", "~", 10_000, "*", "data", "", "files", requestId).expire(key(executionId), TTL_SECONDS).exec();
}

/** When someone last typed into the terminal (ms since the epoch), if anyone has. */
export async function lastTerminalInput(redis: Redis, executionId: string): Promise<number | null> {
  const value = await redis.get(lastInputKey(executionId));
  return value ? Number(value) : null;
}

/** Input after `afterId` ("0" for all), waiting up to `blockMs` (through the process's one StreamReader). */
export async function readTerminalInput(
  reader: StreamReader,
  executionId: string,
  afterId: string,
  blockMs: number,
  signal?: AbortSignal,
): Promise<TerminalInput[]> {
  const entries = await readStreamBuffers(reader, key(executionId), afterId, blockMs, 100, signal);
  return entries.map(({ id, fields }) => {
    const size = /^(\d{1,4}),(\d{1,4})$/.exec(fields.size?.toString("ascii") ?? "");
    const files = /^[0-9a-f]{16}$/.exec(fields.files?.toString("ascii") ?? "")?.[0];
    return {
      id,
      data: fields.data ?? Buffer.alloc(0),
      ...(size ? { size: { cols: Number(size[1]), rows: Number(size[2]) } } : {}),
      ...(files ? { filesRequest: files } : {}),
    };
  });
}

/** The terminal ended: its input is no longer needed. */
export async function clearTerminalInput(redis: Redis, executionId: string): Promise<void> {
  await redis.del(key(executionId), bytesKey(executionId), lastInputKey(executionId));
}
