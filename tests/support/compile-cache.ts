import pino from "pino";
import { inject } from "vitest";
import { DEFAULT_POLICY } from "../../lib/executions/limits";
import { CompileCache, type CompileCacheOptions } from "../../runner/execution/compile-cache";

/**
 * A compile cache on the test image, as the runner makes one, with settings
 * that keep out of a test's way (a short TTL, a 2 MiB entry cap, no cap on
 * Redis as a whole, never busy); a test gives its Redis, driver and key
 * prefix, and overrides what it is about.
 */
export function testCompileCache(opts: Pick<CompileCacheOptions, "redis" | "driver" | "prefix"> & Partial<CompileCacheOptions>): CompileCache {
  return new CompileCache({
    imageTag: inject("imageTag"),
    diskMb: DEFAULT_POLICY.diskMb,
    policy: DEFAULT_POLICY,
    log: pino({ level: "silent" }),
    ttlSeconds: 120,
    maxEntryBytes: 2 * 1024 * 1024,
    maxRedisBytes: 1024 ** 4,
    busy: () => false,
    ...opts,
  });
}
