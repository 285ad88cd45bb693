import type { Redis } from "ioredis";
import { limitAboveMaximum, limitBelowMinimum, type LimitPolicy } from "../../executions/limits";
import { availableRuntimes, requireRuntime } from "../../executions/runtimes";
import { ApiError, isApiError } from "../../http/errors";
import type { TestDefinition, TestLimits } from "../tests/spec";

/**
 * The checks of an assignment that need the server: its language must be one
 * a runner offers now (stored under the runtime's own name, not an alias),
 * and every limit (the assignment's and each test's) must lie within what
 * the server allows a run (SAM_MAX_*) and above what a sandbox needs.
 */
export async function resolveLanguage(redis: Redis, language: string): Promise<string> {
  return requireRuntime(await availableRuntimes(redis), language).language;
}

export function checkLimits(policy: LimitPolicy, limits: TestLimits, where: string): void {
  const high = limitAboveMaximum(policy, limits);
  if (high) throw new ApiError(400, "limit_too_high", `${where}: ${high}.`);
  const low = limitBelowMinimum(limits);
  if (low) throw new ApiError(400, "limit_too_low", `${where}: ${low}.`);
}

export function checkTestLimits(policy: LimitPolicy, tests: TestDefinition[]): void {
  tests.forEach((t, i) => checkLimits(policy, t.limits, `tests.${i} ("${t.name}")`));
}

/**
 * A checker runs in a sandbox of its own, in a language a runner must offer:
 * each checker's language is resolved like the assignment's (aliases to the
 * runtime's name), so a test never waits for a runtime that does not exist.
 */
export async function resolveCheckerLanguages(redis: Redis, tests: TestDefinition[]): Promise<TestDefinition[]> {
  if (!tests.some((t) => t.kind === "checker")) return tests;
  const runtimes = await availableRuntimes(redis);
  return tests.map((t, i) => {
    if (t.kind !== "checker") return t;
    try {
      return { ...t, checker: { ...t.checker, language: requireRuntime(runtimes, t.checker.language).language } };
    } catch (err) {
      if (isApiError(err) && err.code === "unknown_language") {
        throw new ApiError(400, "unknown_language", `tests.${i} ("${t.name}"): the checker's language: ${err.message}`);
      }
      throw err;
    }
  });
}
