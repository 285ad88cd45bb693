import type { Redis } from "ioredis";
import { WindowLimit } from "../../http/window-limit";

/**
 * How often one person may create rooms from zips (POST /api/v1/rooms/import),
 * counted before the body is read, so refused imports count too. A zip of a
 * few KiB may inflate to the 16 MiB the import reads (ROOM_ZIP_LIMITS), and
 * its text is decoded, built into a document and stored: without a cap, one
 * account sending such zips back to back (each refused, or each room deleted
 * again) kept the web process and zlib's threads busy for everyone. A person
 * imports a zip now and then: the cap is far above that. Counted per user in
 * Redis, shared by every web process.
 */
export const IMPORT_LIMIT = { perUser: 30, windowSeconds: 60 } as const;

export class ImportLimiter extends WindowLimit {
  constructor(redis: Redis) {
    super(
      redis,
      "sam:rl:room-import",
      { points: IMPORT_LIMIT.perUser, windowSeconds: IMPORT_LIMIT.windowSeconds },
      (seconds) => `You created rooms from ${IMPORT_LIMIT.perUser} zips this minute. Try again in ${seconds} seconds.`,
    );
  }
}
