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

/**
 * The lowest value of each limit that a run may have. Below these the sandbox
 * itself (not the program) fails, which would be reported as an infrastructure
 * failure: measured on the drivers (README, Limits): runc's own start-up needs
 * 4 MiB and up to 6 processes/threads in the run's cgroup, crun 3 processes,
 * and Docker refuses less than 6 MiB. The floors leave room for runtimes that
 * need more. The wall and CPU clocks count from the program's start, so any
 * value works for them; 100 ms is a floor below which a result means nothing
 * (the CPU counter is read every 50 ms). Output has no floor but 1.
 */
export const MINIMUM_LIMITS: RunLimits = { cpuTimeMs: 100, wallTimeMs: 100, memoryMb: 16, processes: 16, outputKb: 1 };

/** A limit below its minimum (requested or configured): names the limit and the minimum. */
export function limitBelowMinimum(values: Partial<RunLimits>): string | undefined {
  for (const name of LIMIT_NAMES) {
    const value = values[name];
    if (value !== undefined && value < MINIMUM_LIMITS[name]) {
      return `limits.${name} must be at least ${MINIMUM_LIMITS[name]} (asked for ${value})`;
    }
  }
  return undefined;
}

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
