import type { SandboxLimits } from "../driver";

/** Limits fixed when a sandbox starts (memory, pids, CPU rlimit, tmpfs sizes); the rest the runner enforces itself. */
export const poolKey = (l: SandboxLimits) => `${l.memoryMb}/${l.processes}/${l.cpuTimeMs}/${l.diskMb}`;
const MAX_POOL_KEYS = 6;

/**
 * Sandboxes started ahead of demand for the few sets of limits used most
 * recently, as the oci driver keeps warm containers: each still serves
 * exactly one run; it only saves the run from waiting while the sandbox is
 * made. A sandbox that died while waiting is skipped (its owner cleans it up).
 */
export class WarmPool<T> {
  /** By pool key; the map's order is least recently used first. */
  private readonly pools = new Map<string, { limits: SandboxLimits; ready: Array<Promise<T | undefined>> }>();

  constructor(
    private readonly size: number,
    private readonly startOne: (limits: SandboxLimits) => Promise<T>,
    private readonly usable: (sandbox: T) => boolean,
    private readonly discard: (sandbox: T) => void,
  ) {}

  /** A started, still waiting sandbox for these limits, if there is one. */
  async take(limits: SandboxLimits): Promise<T | undefined> {
    const entry = this.pools.get(poolKey(limits));
    while (entry?.ready.length) {
      const sandbox = await entry.ready.shift()!;
      if (sandbox && this.usable(sandbox)) return sandbox;
      if (sandbox) this.discard(sandbox);
    }
    return undefined;
  }

  /** Marks these limits as recently used (only the pools of the few used most recently are kept). */
  remember(limits: SandboxLimits): void {
    if (this.size <= 0) return;
    const key = poolKey(limits);
    const entry = this.pools.get(key) ?? { limits, ready: [] };
    this.pools.delete(key);
    this.pools.set(key, entry);
    while (this.pools.size > MAX_POOL_KEYS) {
      const [oldKey, old] = this.pools.entries().next().value!;
      this.pools.delete(oldKey);
      for (const s of old.ready) void s.then((sandbox) => sandbox && this.discard(sandbox));
    }
  }

  /** Tops every remembered pool up while `mayStart` allows one more (the driver bounds it by its free cores). */
  refill(mayStart: () => boolean): void {
    for (const entry of this.pools.values()) {
      while (mayStart() && entry.ready.length < this.size) {
        entry.ready.push(this.startOne(entry.limits).catch(() => undefined));
      }
    }
  }

  /** Empties every pool; resolves with the sandboxes that were in them. */
  async drain(): Promise<T[]> {
    const all = [...this.pools.values()].flatMap((e) => e.ready);
    this.pools.clear();
    return (await Promise.all(all)).filter((s): s is Awaited<T> => s !== undefined) as T[];
  }
}
