import fs from "node:fs";
import path from "node:path";

/**
 * What the kernel measured for one container's cgroup: CPU time, peak memory,
 * and whether the OOM killer fired. Read after the program exits and before
 * the container is deleted (deleting removes the cgroup). Supports cgroup v1
 * (separate controller trees) and v2 (one unified tree).
 */
export interface CgroupStats {
  cpuTimeMs: number | null;
  memoryPeakKb: number | null;
  oomKilled: boolean;
  /** The memory limit was hit at least once (the kernel then reclaims, and kills if it cannot). */
  memoryLimitHit: boolean;
  /** A fork or thread was refused for the process limit at least once. */
  processLimitHit: boolean;
}

const ROOT = "/sys/fs/cgroup";

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    return undefined;
  }
}

function field(text: string | undefined, name: string): number | undefined {
  const line = text?.split("\n").find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(" ")[1]) : undefined;
}

export function isCgroupV2(): boolean {
  return fs.existsSync(path.join(ROOT, "cgroup.controllers"));
}

export function readCgroupStats(cgroupsPath: string): CgroupStats {
  if (isCgroupV2()) {
    const dir = path.join(ROOT, cgroupsPath);
    const usageUsec = field(read(path.join(dir, "cpu.stat")), "usage_usec");
    const peak = read(path.join(dir, "memory.peak"));
    const events = read(path.join(dir, "memory.events"));
    return {
      cpuTimeMs: usageUsec === undefined ? null : Math.round(usageUsec / 1000),
      memoryPeakKb: peak === undefined ? null : Math.round(Number(peak) / 1024),
      oomKilled: (field(events, "oom_kill") ?? 0) > 0,
      memoryLimitHit: (field(events, "max") ?? 0) > 0,
      processLimitHit: processLimitHit(dir),
    };
  }
  const cpu = read(path.join(ROOT, "cpuacct", cgroupsPath, "cpuacct.usage"));
  const mem = path.join(ROOT, "memory", cgroupsPath);
  const peak = read(path.join(mem, "memory.max_usage_in_bytes"));
  const oomControl = read(path.join(mem, "memory.oom_control"));
  const failcnt = Number(read(path.join(mem, "memory.failcnt")) ?? "0");
  return {
    cpuTimeMs: cpu === undefined ? null : Math.round(Number(cpu) / 1e6),
    memoryPeakKb: peak === undefined ? null : Math.round(Number(peak) / 1024),
    // v1 counts an OOM kill only in the cgroup of the process killed, which may be a child that is
    // gone by now (the runtime's own): then hitting the limit (failcnt) while being killed is the sign.
    oomKilled: (field(oomControl, "oom_kill") ?? 0) > 0,
    // failcnt is not kept on every kernel (6.x may leave it 0); a peak at the limit says the same.
    memoryLimitHit: failcnt > 0 || (peak !== undefined && Number(peak) >= Number(read(path.join(mem, "memory.limit_in_bytes")) ?? Infinity)),
    processLimitHit: processLimitHit(path.join(ROOT, "pids", cgroupsPath)),
  };
}

/**
 * v1 counts a refused fork only in the cgroup that forked, which may be a
 * child that is gone by now (the runtime's): a peak at the limit says the same.
 */
function processLimitHit(dir: string): boolean {
  if ((field(read(path.join(dir, "pids.events")), "max") ?? 0) > 0) return true;
  const peak = Number(read(path.join(dir, "pids.peak")) ?? "0");
  const max = Number(read(path.join(dir, "pids.max")) ?? "Infinity");
  return peak > 0 && peak >= max;
}

/** CPU time so far, for enforcing the CPU limit across all of a run's processes (rlimits are per process). */
export function readCpuTimeMs(cgroupsPath: string): number | null {
  if (isCgroupV2()) {
    const usec = field(read(path.join(ROOT, cgroupsPath, "cpu.stat")), "usage_usec");
    return usec === undefined ? null : usec / 1000;
  }
  const ns = read(path.join(ROOT, "cpuacct", cgroupsPath, "cpuacct.usage"));
  return ns === undefined ? null : Number(ns) / 1e6;
}

/** Starts the peak-memory record afresh (cgroup v1; v2's memory.peak is not resettable on every kernel). */
export function resetMemoryPeak(cgroupsPath: string): void {
  if (isCgroupV2()) return;
  try {
    fs.writeFileSync(path.join(ROOT, "memory", cgroupsPath, "memory.max_usage_in_bytes"), "0");
  } catch {
    /* best effort: the peak then includes the waiting launcher's few MiB */
  }
}
