import type { Redis } from "ioredis";
import { limitAboveMaximum, limitBelowMinimum, type LimitPolicy } from "../../executions/limits";
import { availableRuntimes, requireRuntime } from "../../executions/runtimes";
import { ApiError } from "../../http/errors";
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
