import { createHash } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { containerLifetimeMs } from "./run-clock";
import type { SandboxLimits } from "./driver";

/**
 * The last bound on a sandbox, for when its runner is gone. A run's own
 * clocks and the watchdog live in the runner that made it; if that runner
 * dies (kill -9, a crash, a Kubernetes pod moved elsewhere), its containers
 * are first ended by its helper processes (the launcher's parent-death chain,
 * see oci/launcher.pl); whatever still runs is ended by any runner on the
 * machine, whatever its data dir, once past its deadline: each driver writes
 * the deadline where every runner can read it (oci: the run's cgroup name,
 * see oci/run-registry.ts; docker: a container label) and sweeps
 * periodically and at start.
 *
 * The deadline is the watchdog's budget and then some: from when the
 * container is made (or handed its run, for one started ahead of demand),
 * the start allowance, the compile and wall limits, and the grace
 * (SAM_WATCHDOG_GRACE_MS). A live runner always acts first.
 */
export const DEFAULT_DEADLINE_GRACE_MS = 60_000;
/** How often a runner sweeps (SAM_SANDBOX_SWEEP_MS). */
export const DEFAULT_SWEEP_INTERVAL_MS = 10_000;

/**
 * Who made a sandbox, for the leftovers a runner removes at once when it
 * starts again: its host name and data dir. The host name keeps apart
 * runners that share a machine (or an engine) and a data dir path, e.g. two
 * pods of one node with SAM_DATA_DIR=/var/lib/sam: neither takes the other's
 * live runs for its own leftovers. A runner that comes back under another
 * name leaves its predecessor's sandboxes to the sweeps.
 */
export function sandboxOwner(workDir: string): string {
  return createHash("sha256")
    .update(`${os.hostname()}\0${path.resolve(workDir)}`)
    .digest("hex")
    .slice(0, 16);
}

export function sandboxDeadline(limits: Pick<SandboxLimits, "wallTimeMs" | "compileSeconds">, graceMs: number, now = Date.now()): number {
  return now + containerLifetimeMs(limits) + graceMs;
}

/**
 * A container started ahead of demand has no run and so no limits yet: its
 * owner holds it on a lease it renews at each sweep, which lapses (and lets
 * any runner end it) a few sweeps after the owner is gone.
 */
export function warmLeaseMs(sweepIntervalMs: number): number {
  return Math.max(60_000, 6 * sweepIntervalMs);
}

/** Runs `sweep` now and then every `intervalMs`, one at a time; never keeps the process alive. */
export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly sweep: () => Promise<void>,
    private readonly onError: (err: Error) => void,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.now(), this.intervalMs);
    this.timer.unref();
    void this.now();
  }

  /** Sweeps at once (or waits for the sweep under way). */
  now(): Promise<void> {
    this.running ??= this.sweep()
      .catch((err: Error) => this.onError(err))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
