import type { Redis } from "ioredis";

/**
 * Entries of one Redis stream after `afterId` ("0" for all), waiting up to
 * `blockMs` for new ones, each as its id and field map. XREAD BLOCK holds its
 * connection: give it one of its own.
 */
export async function readStream(redis: Redis, key: string, afterId: string, blockMs: number, count: number): Promise<Array<{ id: string; fields: Record<string, string> }>> {
  const reply = (await redis.xread("COUNT", count, "BLOCK", blockMs, "STREAMS", key, afterId)) as Array<[string, Array<[string, string[]]>]> | null;
  return (reply?.[0]?.[1] ?? []).map(([id, flat]) => {
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
    return { id, fields };
  });
}

/** As readStream, with field values as the exact bytes stored (for binary data such as program output). */
export async function readStreamBuffers(redis: Redis, key: string, afterId: string, blockMs: number, count: number): Promise<Array<{ id: string; fields: Record<string, Buffer> }>> {
  const reply = (await redis.xreadBuffer("COUNT", count, "BLOCK", blockMs, "STREAMS", key, afterId)) as Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;
  return (reply?.[0]?.[1] ?? []).map(([id, flat]) => {
    const fields: Record<string, Buffer> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!.toString()] = flat[i + 1]!;
    return { id: id.toString(), fields };
  });
}
