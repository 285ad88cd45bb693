import type { Redis } from "ioredis";
import { WindowLimit } from "../../http/window-limit";

/**
 * How often one person may download rooms as zips (GET /api/v1/rooms/:id/archive).
 * Each download makes collab serialize the whole room (up to 16 MiB, on the
 * thread that serves every room's edits), sends it through Redis and has the
 * web process parse and compress it: the read a room run pays for with the
 * run rate (SAM_RUNS_PER_MINUTE) before it starts. The room-snapshot lease
 * bounds only how many are under way at once, so without this any member,
 * a viewer who came through a share link too, could ask again the moment one
 * ended, for ever. A person downloads a zip now and then: the cap is far
 * above that. Counted per user in Redis, shared by every web process.
 */
export const ARCHIVE_DOWNLOAD_LIMIT = { perUser: 20, windowSeconds: 60 } as const;

export class ArchiveDownloadLimiter extends WindowLimit {
  constructor(redis: Redis) {
    super(
      redis,
      "sam:rl:room-archive",
      { points: ARCHIVE_DOWNLOAD_LIMIT.perUser, windowSeconds: ARCHIVE_DOWNLOAD_LIMIT.windowSeconds },
      (seconds) => `You downloaded rooms as zips ${ARCHIVE_DOWNLOAD_LIMIT.perUser} times this minute. Try again in ${seconds} seconds.`,
    );
  }
}
