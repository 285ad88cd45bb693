import { Redis as RedisExtension } from "@hocuspocus/extension-redis";
import type { onChangePayload } from "@hocuspocus/server";
import type { Redis } from "ioredis";

/**
 * Hocuspocus's Redis extension relays a room's updates and presence between
 * the collab processes that have it open. Two changes to how it stores:
 *
 * - Its store lock is off: with it, a process that finds another one storing
 *   the same room skips its own store, and whatever only it had then (its
 *   last edits, if it is closing the room) is lost.
 * - Every process stores what it hears from the others, not only its own
 *   members' edits: the process that took an edit may end before its
 *   debounced store, and the edit must not live only in memory elsewhere.
 *
 * Both are safe because our stores merge into what is stored (persistence.ts),
 * so any number may store, in any order.
 */
export class RoomRelay extends RedisExtension {
  constructor(redis: Redis) {
    super({ redis, prefix: "sam:collab:room" });
  }

  override async onStoreDocument(): Promise<void> {}

  override async afterStoreDocument(): Promise<void> {}

  override async onChange(data: onChangePayload): Promise<void> {
    await super.onChange(data);
    if (data.transactionOrigin === this.redisTransactionOrigin) void this.instance.storeDocumentHooks(data.document, data).catch(() => undefined);
  }
}
