import type { Redis } from "ioredis";
import type { StreamReader } from "../redis/stream-reader";
import { readStream } from "../redis/streams";

/**
 * What happens in a room besides editing (edits travel over the room socket):
 * runs started and finished, the member list or the room itself changed.
 * Kept in a short Redis stream per room, which the room's SSE route follows,
 * and announced on one channel the collab service listens to, so it can close
 * the sockets of members who were removed or whose role changed.
 */
export type RoomEventType = "run" | "members" | "room" | "deleted" | "terminal";

export interface RoomEvent {
  id: string;
  type: RoomEventType;
  data: string;
}

export const ROOM_CONTROL_CHANNEL = "sam:rooms:control";
export interface RoomControlMessage {
  roomId: string;
  /** members: someone's role changed or they were removed (userId); deleted: the whole room. */
  kind: "members" | "deleted";
  userId?: string;
}

const key = (roomId: string) => `sam:room:${roomId}:events`;
const MAX_EVENTS = 500;
const TTL_SECONDS = 7 * 24 * 3600;

export async function appendRoomEvent(redis: Redis, roomId: string, type: RoomEventType, data: unknown): Promise<void> {
  await redis.multi().xadd(key(roomId), "MAXLEN", "~", MAX_EVENTS, "*", "type", type, "data", JSON.stringify(data)).expire(key(roomId), TTL_SECONDS).exec();
}

export async function announceRoomControl(redis: Redis, message: RoomControlMessage): Promise<void> {
  await redis.publish(ROOM_CONTROL_CHANNEL, JSON.stringify(message));
}

/** The id of the room's newest event ("0" when none): a new listener follows from there. */
export async function latestRoomEventId(redis: Redis, roomId: string): Promise<string> {
  const last = (await redis.xrevrange(key(roomId), "+", "-", "COUNT", 1)) as Array<[string, string[]]>;
  return last[0]?.[0] ?? "0";
}

/** Events after `afterId`, waiting up to `blockMs` (through the process's one StreamReader; `signal` ends the wait). */
export async function readRoomEvents(reader: StreamReader, roomId: string, afterId: string, blockMs: number, signal?: AbortSignal): Promise<RoomEvent[]> {
  const entries = await readStream(reader, key(roomId), afterId, blockMs, 200, signal);
  return entries.map(({ id, fields }) => ({ id, type: fields.type as RoomEventType, data: fields.data ?? "{}" }));
}

export async function deleteRoomEvents(redis: Redis, roomId: string): Promise<void> {
  await redis.del(key(roomId));
}
