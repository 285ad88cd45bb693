import { Redis as RedisExtension } from "@hocuspocus/extension-redis";
import type { Redis } from "ioredis";

/**
 * Hocuspocus's Redis extension relays a room's updates and presence between
 * the collab processes that have it open. Its store lock is switched off
 * here: with the lock, a process that finds another one storing the same
 * room skips its own store, and whatever only it had then (its last edits,
 * if it is closing the room) is lost. Our stores merge into what is stored
 * instead (persistence.ts), so any number may store, in any order.
 */
export class RoomRelay extends RedisExtension {
  constructor(redis: Redis) {
    super({ redis, prefix: "sam:collab:room" });
  }

  override async onStoreDocument(): Promise<void> {}

  override async afterStoreDocument(): Promise<void> {}
}
