import type { StreamEntry, StreamReader } from "./stream-reader";

/**
 * Entries of one Redis stream after `afterId` ("0" for all), waiting up to
 * `blockMs` for new ones, each as its id and field map. The wait goes
 * through the process's one StreamReader (see stream-reader.ts), never a
 * blocking connection of the caller's own.
 */
export async function readStream(
  reader: StreamReader,
  key: string,
  afterId: string,
  blockMs: number,
  count: number,
  signal?: AbortSignal,
): Promise<Array<{ id: string; fields: Record<string, string> }>> {
  const entries = await reader.read(key, afterId, count, blockMs, signal);
  return entries.map(({ id, fields }) => ({ id, fields: Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, value.toString()])) }));
}

/** As readStream, with field values as the exact bytes stored (for binary data such as program output). */
export async function readStreamBuffers(
  reader: StreamReader,
  key: string,
  afterId: string,
  blockMs: number,
  count: number,
  signal?: AbortSignal,
): Promise<StreamEntry[]> {
  return reader.read(key, afterId, count, blockMs, signal);
}
