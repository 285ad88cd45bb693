import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../lib/config/env";
import { DEFAULT_POLICY, LIMIT_NAMES, limitBelowMinimum, MINIMUM_LIMITS } from "../../lib/executions/limits";

/** The floors under every limit (what the sandbox itself needs) and the settings that go with them. */
describe("limit minimums", () => {
  it("names the first limit below its minimum, and accepts the minimums themselves", () => {
    expect(limitBelowMinimum({ memoryMb: 8 })).toBe("limits.memoryMb must be at least 16 (asked for 8)");
    expect(limitBelowMinimum({ ...MINIMUM_LIMITS })).toBeUndefined();
    expect(limitBelowMinimum({})).toBeUndefined();
  });

  it("the defaults and maximums are above every minimum", () => {
    for (const name of LIMIT_NAMES) {
      expect(DEFAULT_POLICY.defaults[name]).toBeGreaterThanOrEqual(MINIMUM_LIMITS[name]);
      expect(DEFAULT_POLICY.maximum[name]).toBeGreaterThanOrEqual(MINIMUM_LIMITS[name]);
    }
  });

  it.each([
    [{ SAM_DEFAULT_MEMORY_MB: "8" }, "SAM_DEFAULT_MEMORY_MB must be at least 16"],
    [{ SAM_MAX_WALL_MS: "50", SAM_DEFAULT_WALL_MS: "50" }, "SAM_DEFAULT_WALL_MS must be at least 100"],
    [{ SAM_MAX_PROCESSES: "8", SAM_DEFAULT_PROCESSES: "8" }, "SAM_DEFAULT_PROCESSES must be at least 16"],
    [{ SAM_WATCHDOG_GRACE_MS: "1000" }, "SAM_WATCHDOG_GRACE_MS"],
  ])("a configuration with %o does not start", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("the watchdog's grace defaults to 60 s", () => {
    expect(loadConfig({}).SAM_WATCHDOG_GRACE_MS).toBe(60_000);
  });
});
