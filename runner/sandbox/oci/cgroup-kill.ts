import fs from "node:fs";
import path from "node:path";
import { isCgroupV2 } from "./cgroup-stats";

/**
 * Kills every process in a cgroup and the cgroups under it: the backstop for
 * when the runtime's (or engine's) kill does not end a run, e.g. because it
 * came while the container was still being created.
 *  - cgroup v2: `cgroup.kill` (Linux 5.14+), which the kernel applies to the
 *    whole subtree at once, new forks included;
 *  - cgroup v1: the freezer stops every process first where the cgroup has a
 *    freezer directory (so nothing forks, and no pid is freed and reused by
 *    another process while we read and kill), then each pid in cgroup.procs
 *    gets SIGKILL, repeated until none is left; then it is thawed, and the
 *    killed processes die.
 */
export interface CgroupLayout {
  version: 1 | 2;
  /** Where the hierarchies are mounted (v1: one directory per controller under it). */
  root: string;
}

export const hostCgroups = (): CgroupLayout => ({ version: isCgroupV2() ? 2 : 1, root: "/sys/fs/cgroup" });

const ROUNDS = 50;

/** Kills what runs in the cgroup; resolves true once it is empty (or gone), false if processes are still listed. */
export async function killCgroup(cgroupPath: string, layout: CgroupLayout = hostCgroups()): Promise<boolean> {
  if (layout.version === 2) {
    const dir = path.join(layout.root, cgroupPath);
    if (!fs.existsSync(dir)) return true;
    if (!tryWrite(path.join(dir, "cgroup.kill"), "1")) await killListed([dir]);
    return waitEmpty([dir]);
  }
  const freezer = path.join(layout.root, "freezer", cgroupPath);
  const frozen = fs.existsSync(freezer) && (await freeze(freezer));
  // With the freezer, its tree lists every process; without, the pids hierarchy does (our run cgroups are in it).
  const dirs = [frozen ? freezer : path.join(layout.root, "pids", cgroupPath)].filter((d) => fs.existsSync(d));
  try {
    await killListed(dirs);
  } finally {
    if (frozen) tryWrite(path.join(freezer, "freezer.state"), "THAWED");
  }
  return waitEmpty(dirs);
}

/** The pids listed in a cgroup tree. */
export function cgroupPids(dir: string): number[] {
  const pids: number[] = [];
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
      const procs = fs.readFileSync(path.join(d, "cgroup.procs"), "utf8");
      for (const line of procs.split("\n")) if (line) pids.push(Number(line));
    } catch {
      return; // removed meanwhile
    }
    for (const e of entries) if (e.isDirectory()) walk(path.join(d, e.name));
  };
  walk(dir);
  return pids;
}

async function killListed(dirs: string[]): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    const pids = dirs.flatMap(cgroupPids);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
    // Frozen processes stay listed until thawed: one round kills them all.
    if (dirs.some((d) => d.includes(`${path.sep}freezer${path.sep}`))) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function freeze(dir: string): Promise<boolean> {
  if (!tryWrite(path.join(dir, "freezer.state"), "FROZEN")) return false;
  for (let i = 0; i < 100; i++) {
    if (readState(dir) === "FROZEN") return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  // Still FREEZING (a task in uninterruptible sleep): thaw and kill without it.
  tryWrite(path.join(dir, "freezer.state"), "THAWED");
  return false;
}

function readState(dir: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dir, "freezer.state"), "utf8").trim();
  } catch {
    return undefined;
  }
}

async function waitEmpty(dirs: string[]): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (dirs.flatMap(cgroupPids).length === 0) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return false;
}

function tryWrite(file: string, value: string): boolean {
  try {
    fs.writeFileSync(file, value);
    return true;
  } catch {
    return false;
  }
}
