import type { Redis } from "ioredis";
import { WindowLimit } from "../http/window-limit";

/**
 * Bounds the one room lookup anyone may make without signing in: what a
 * share link grants (POST /api/v1/share-links/preview). Tokens are 32
 * random bytes, so this is not about guessing them; it keeps an anonymous
 * client from turning the page into a free database load. Counted per
 * client address in Redis, so every web process shares the count.
 */
export const PREVIEW_LIMIT = { perAddress: 30, windowSeconds: 60 } as const;

export class SharePreviewLimiter extends WindowLimit {
  constructor(redis: Redis, limits: { perAddress: number; windowSeconds: number } = PREVIEW_LIMIT) {
    super(
      redis,
      "sam:rl:share-preview-ip",
      { points: limits.perAddress, windowSeconds: limits.windowSeconds },
      (seconds) => `Too many share links were looked up from your address. Try again in ${seconds} seconds.`,
    );
  }
}
