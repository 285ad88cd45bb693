/**
 * Run limits, resolved in one place (as Piston does): the configured defaults,
 * raised by the language where it needs more (the JVM), then the request's
 * own values, which may ask for less or for more up to the configured maximum.
 */
export interface RunLimits {
  cpuTimeMs: number;
  wallTimeMs: number;
  memoryMb: number;
  processes: number;
  outputKb: number;
}

export const LIMIT_NAMES = ["cpuTimeMs", "wallTimeMs", "memoryMb", "processes", "outputKb"] as const;

export interface LimitPolicy {
  defaults: RunLimits;
  maximum: RunLimits;
  /** Writable disk (each of /work and /tmp), not requestable. */
  diskMb: number;
}

export const DEFAULT_POLICY: LimitPolicy = {
  defaults: { cpuTimeMs: 5000, wallTimeMs: 10000, memoryMb: 256, processes: 64, outputKb: 1024 },
  maximum: { cpuTimeMs: 30000, wallTimeMs: 60000, memoryMb: 2048, processes: 512, outputKb: 16384 },
  diskMb: 64,
};

/** A request asked for more than the maximum: names the limit and the allowed value. */
export function limitAboveMaximum(policy: LimitPolicy, requested: Partial<RunLimits>): string | undefined {
  for (const name of LIMIT_NAMES) {
    const value = requested[name];
    if (value !== undefined && value > policy.maximum[name]) {
      return `limits.${name} may be at most ${policy.maximum[name]} (asked for ${value})`;
    }
  }
  return undefined;
}

export function resolveLimits(policy: LimitPolicy, language: Partial<RunLimits>, requested: Partial<RunLimits> = {}): RunLimits {
  const out = {} as RunLimits;
  for (const name of LIMIT_NAMES) {
    const base = Math.min(Math.max(policy.defaults[name], language[name] ?? 0), policy.maximum[name]);
    out[name] = Math.min(requested[name] ?? base, policy.maximum[name]);
  }
  return out;
}
