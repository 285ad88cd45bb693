import fs from "node:fs";
import path from "node:path";
import { isCgroupV2 } from "./cgroup-stats";

/**
 * The cgroup of one run, made and removed by the runner itself. The limits
 * (memory with tmpfs pages, swap where the kernel accounts it, process count,
 * CPU share) sit on this cgroup; the OCI runtime puts the container in a child
 * of it. Owning it means the measurements (peak memory, CPU time, OOM kills)
 * are still there after the runtime has deleted the container, so a run takes
 * one runtime call, not a run plus a delete. Supports cgroup v1 (a tree per
 * controller) and v2 (one tree).
 */
export interface RunCgroupLimits {
  memoryBytes: number;
  processes: number;
  /** CPU share of the run, in cores. */
  cpuCores: number;
}

const ROOT = "/sys/fs/cgroup";
const V1_CONTROLLERS = ["memory", "pids", "cpu", "cpuacct"];
const CPU_PERIOD_US = 100_000;

function write(dir: string, file: string, value: string | number, optional = false): void {
  try {
    fs.writeFileSync(path.join(dir, file), String(value));
  } catch (err) {
    if (!optional) throw err;
  }
}

/**
 * Writes a swap limit where the kernel accounts swap (the file exists). A
 * kernel without swap accounting has no such file: the runner checked at
 * start that such a host has no active swap, or was told to accept it (see
 * ../swap.ts). A limit that exists but cannot be written is an error like
 * any other (it used to be ignored).
 */
function writeSwapLimit(dir: string, file: string, value: number): void {
  if (fs.existsSync(path.join(dir, file))) write(dir, file, value);
}

/**
 * Every existing directory of one cgroup path: the single v2 directory, or on
 * v1 one per hierarchy (the runtime also makes the container's cgroup in the
 * hierarchies we set no limits in: devices, freezer, cpuset and so on).
 */
function existingDirs(cgroupPath: string): string[] {
  if (isCgroupV2()) return [path.join(ROOT, cgroupPath)];
  const found = new Set<string>();
  for (const hierarchy of fs.readdirSync(ROOT)) {
    const dir = path.join(ROOT, hierarchy, cgroupPath);
    // cpu and cpuacct are often one hierarchy under two names: keep each real directory once.
    if (fs.existsSync(dir)) found.add(fs.realpathSync(dir));
  }
  return [...found];
}

/** Lets children of the top `sam` cgroup use the v2 controllers the limits need. */
function delegateV2(top: string): void {
  for (const dir of [ROOT, path.join(ROOT, top)]) {
    write(dir, "cgroup.subtree_control", "+memory +pids +cpu", true);
  }
}

export function createRunCgroup(cgroupPath: string, limits: RunCgroupLimits): void {
  const quota = Math.max(1000, Math.round(CPU_PERIOD_US * limits.cpuCores));
  if (isCgroupV2()) {
    const top = cgroupPath.split("/").filter(Boolean)[0]!;
    fs.mkdirSync(path.join(ROOT, top), { recursive: true });
    delegateV2(top);
    const dir = path.join(ROOT, cgroupPath);
    fs.mkdirSync(dir, { recursive: true });
    write(dir, "memory.max", limits.memoryBytes);
    writeSwapLimit(dir, "memory.swap.max", 0);
    write(dir, "pids.max", limits.processes);
    write(dir, "cpu.max", `${quota} ${CPU_PERIOD_US}`);
    return;
  }
  for (const c of V1_CONTROLLERS) fs.mkdirSync(path.join(ROOT, c, cgroupPath), { recursive: true });
  const memory = path.join(ROOT, "memory", cgroupPath);
  write(memory, "memory.limit_in_bytes", limits.memoryBytes);
  writeSwapLimit(memory, "memory.memsw.limit_in_bytes", limits.memoryBytes);
  write(path.join(ROOT, "pids", cgroupPath), "pids.max", limits.processes);
  const cpu = path.join(ROOT, "cpu", cgroupPath);
  write(cpu, "cpu.cfs_period_us", CPU_PERIOD_US);
  write(cpu, "cpu.cfs_quota_us", quota);
}

/**
 * Removes a cgroup and everything under it once its processes are gone: a
 * run's (the runtime removes the container's child itself, but not when it
 * was killed), or a whole driver's leftovers at start. A cgroup whose last
 * process is still being reaped is busy for a moment, hence the retries.
 */
export async function removeCgroupTree(cgroupPath: string): Promise<void> {
  for (const dir of existingDirs(cgroupPath)) await removeDir(dir);
}

async function removeDir(dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      for (const child of fs.readdirSync(dir, { withFileTypes: true })) {
        if (child.isDirectory()) await removeDir(path.join(dir, child.name));
      }
      fs.rmdirSync(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return;
      if (code !== "EBUSY" || attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
