import fs from "node:fs";
import path from "node:path";
import { hostCgroups, killCgroup, type CgroupLayout } from "./cgroup-kill";
import { removeCgroupTree } from "./run-cgroup";

/**
 * The machine's register of oci runs: which host uid block each live
 * container holds and when any runner may end it. It is kept in the cgroup
 * tree itself, the one thing every runner on a machine shares whatever its
 * data dir (and the thing an orphaned run lives in):
 *
 *   /sam/<data dir hash>/b<block>-<deadline>-<run id>            the run's cgroup
 *   /sam/<data dir hash>/b<block>-<deadline>-<run id>/deadline-<ms>  a later deadline, if any
 *
 * `block` is the absolute uid block (host id / 65536, as in the block's
 * socket name, see uid-ranges.ts); `deadline` is in ms since the epoch: the
 * one in the name is set when the run cgroup is made (so there is never an
 * unmarked moment); a `deadline-<ms>` child (an empty cgroup) replaces it,
 * e.g. when a container started ahead of demand is handed its run. On v1 the
 * marks live in the pids hierarchy, where every run cgroup exists.
 *
 * Every runner ends whatever is past its deadline (endExpiredRuns), whoever
 * made it; and a block stays taken while a run cgroup that names it exists
 * (blocksInUse), since the cgroup is removed only once nothing runs in it.
 */
export const RUNS_TOP = "/sam";

export interface RegisteredRun {
  cgroupPath: string;
  block: number;
  /** When any runner may end it, in ms since the epoch. */
  deadline: number;
}

const RUN_NAME = /^b(\d+)-(\d+)-([0-9a-z]+)$/;
const MARK_NAME = /^deadline-(\d+)$/;

/** The cgroup name of a run: its uid block, its first deadline and its id. */
export function runCgroupName(block: number, deadline: number, runId: string): string {
  return `b${block}-${Math.ceil(deadline)}-${runId}`;
}

/** Where a cgroup's marks are: the v2 tree, or v1's pids hierarchy. */
function registryDir(cgroupPath: string, layout: CgroupLayout): string {
  return layout.version === 2 ? path.join(layout.root, cgroupPath) : path.join(layout.root, "pids", cgroupPath);
}

function subdirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return []; // removed meanwhile, or no such hierarchy
  }
}

/** Gives a run a new deadline (the mark is made before the old one goes, so a reader never sees none). */
export function setDeadline(cgroupPath: string, deadline: number, layout: CgroupLayout = hostCgroups()): void {
  const dir = registryDir(cgroupPath, layout);
  const mark = `deadline-${Math.ceil(deadline)}`;
  try {
    fs.mkdirSync(path.join(dir, mark));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  for (const name of subdirs(dir)) {
    if (name === mark || !MARK_NAME.test(name)) continue;
    try {
      fs.rmdirSync(path.join(dir, name));
    } catch {
      /* removed meanwhile */
    }
  }
}

/** Every registered run under `top` (any data dir). A run being re-marked counts with its later deadline. */
export function listRuns(layout: CgroupLayout = hostCgroups(), top = RUNS_TOP): RegisteredRun[] {
  const runs: RegisteredRun[] = [];
  const topDir = registryDir(top, layout);
  for (const base of subdirs(topDir)) {
    for (const name of subdirs(path.join(topDir, base))) {
      const m = RUN_NAME.exec(name);
      if (!m) continue; // not a run cgroup, or made by an older runner: never ours to judge
      const marks = subdirs(path.join(topDir, base, name)).flatMap((n) => {
        const mark = MARK_NAME.exec(n);
        return mark ? [Number(mark[1])] : [];
      });
      runs.push({ cgroupPath: `${top}/${base}/${name}`, block: Number(m[1]), deadline: marks.length ? Math.max(...marks) : Number(m[2]) });
    }
  }
  return runs;
}

/** The uid blocks named by a run cgroup that still exists (see uid-ranges.ts). */
export function blocksInUse(layout: CgroupLayout = hostCgroups(), top = RUNS_TOP): Set<number> {
  const blocks = new Set<number>();
  const topDir = registryDir(top, layout);
  for (const base of subdirs(topDir)) {
    for (const name of subdirs(path.join(topDir, base))) {
      const m = RUN_NAME.exec(name);
      if (m) blocks.add(Number(m[1]));
    }
  }
  return blocks;
}

/**
 * Ends every run past its deadline, whichever runner made it: kills what runs
 * in its cgroup and removes the cgroup (which frees its uid block). The
 * runtime's state and the bundle stay in the owner's data dir until that
 * runner starts again. Returns the runs it ended.
 */
export async function endExpiredRuns(now = Date.now(), top = RUNS_TOP): Promise<RegisteredRun[]> {
  const ended: RegisteredRun[] = [];
  for (const run of listRuns(hostCgroups(), top)) {
    if (run.deadline > now) continue;
    await killCgroup(run.cgroupPath);
    // A process that takes a moment to die keeps the cgroup busy: the next sweep tries again.
    await removeCgroupTree(run.cgroupPath).catch(() => undefined);
    ended.push(run);
  }
  return ended;
}
