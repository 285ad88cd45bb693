import fs from "node:fs";
import path from "node:path";

/**
 * A run's memory limit holds only if swap is limited too: on a host with
 * active swap, a cgroup that limits memory but not swap lets a program push
 * pages out and use far more than its limit (and slow the whole host down).
 * The runner checks this once at start and refuses such a host, unless
 * SAM_ALLOW_UNLIMITED_SWAP=true says the operator accepts it.
 */
export interface SwapFacts {
  /** Total size of the active swap areas, from /proc/swaps; null when it cannot be seen (a remote engine's host). */
  activeSwapKb: number | null;
  /** The cgroups (or the container engine) can limit a run's swap. */
  limitable: boolean;
  /** Where `limitable` was read, for the message. */
  source: string;
}

/** The summed size of the active swap areas listed in a /proc/swaps file. */
export function activeSwapKb(swapsFile = "/proc/swaps"): number {
  let text = "";
  try {
    text = fs.readFileSync(swapsFile, "utf8");
  } catch {
    return 0; // no /proc/swaps: the kernel has no swap support
  }
  // Filename Type Size Used Priority, one line per active area after the header.
  return text
    .split("\n")
    .slice(1)
    .map((line) => Number(line.trim().split(/\s+/)[2]))
    .filter((size) => Number.isFinite(size))
    .reduce((a, b) => a + b, 0);
}

/**
 * Whether the cgroups under `root` can limit swap: the v1 memory controller's
 * memsw files, or on v2 memory.swap.max in the cgroups that have a memory
 * controller (the root cgroup itself has none).
 */
export function cgroupLimitsSwap(root = "/sys/fs/cgroup"): boolean {
  if (fs.existsSync(path.join(root, "cgroup.controllers"))) {
    const children = fs
      .readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => path.join(root, d.name));
    return children.some((dir) => fs.existsSync(path.join(dir, "memory.max")) && fs.existsSync(path.join(dir, "memory.swap.max")));
  }
  return fs.existsSync(path.join(root, "memory", "memory.memsw.limit_in_bytes"));
}

/**
 * Throws on a host with active swap that cannot be limited, with what to do;
 * with `allowUnlimited`, logs a warning instead.
 */
export function assertSwapContained(facts: SwapFacts, allowUnlimited: boolean, warn: (msg: string) => void): void {
  if (facts.activeSwapKb === 0 || facts.limitable) return;
  const swap =
    facts.activeSwapKb === null
      ? "the engine's host may have swap (it cannot be seen from here)"
      : `this host has ${Math.round(facts.activeSwapKb / 1024)} MiB of active swap`;
  const what = `${swap} and ${facts.source} cannot limit a run's swap, so a program could use swap beyond its memory limit`;
  if (allowUnlimited) {
    warn(`${what} (allowed by SAM_ALLOW_UNLIMITED_SWAP=true)`);
    return;
  }
  throw new Error(
    `${what}. Enable swap accounting (cgroup v2, or the kernel parameter swapaccount=1 on cgroup v1), ` +
      `turn swap off (swapoff -a), or set SAM_ALLOW_UNLIMITED_SWAP=true to accept it`,
  );
}
