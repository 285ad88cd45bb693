import fs from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { readStages, type Stage } from "../lib/perf/stages";
import type { Backing, RunningService } from "../tests/support/stack";

/**
 * Where a run's time and CPU go (issue 13): the web process's stages come in
 * each answer's Server-Timing header, the runner's from Redis (both with
 * SAM_STAGE_TIMINGS=1, lib/perf/stages.ts); CPU is read from /proc for each
 * part's whole process tree (the runner's includes its sandboxes).
 */

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

/** CPU time (user + system, own and reaped children's) of a process and all its descendants, in ms. */
export function treeCpuMs(rootPid: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const text = fs.readFileSync(path.join("/proc", name, "stat"), "utf8");
      // After the command's closing parenthesis: state, ppid, ... utime (14), stime, cutime, cstime (17).
      const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
      stats.set(Number(name), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) });
    } catch {
      /* ended meanwhile */
    }
  }
  let total = 0;
  for (const [pid, s] of stats) {
    let p: number | undefined = pid;
    while (p !== undefined && p > 1 && p !== rootPid) p = stats.get(p)?.ppid;
    if (p === rootPid) total += s.ticks;
  }
  return total * TICK_MS;
}

export interface Parts {
  [part: string]: number;
}

/** The root process of each part of the stack. */
export async function partPids(backing: Backing, services: Record<string, RunningService>): Promise<Parts> {
  const pids: Parts = {};
  for (const [name, service] of Object.entries(services)) pids[name] = service.proc.child.pid!;
  pids.postgres = Number(fs.readFileSync(path.join(backing.dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
  const redis = new Redis(backing.redisUrl);
  try {
    const info = await redis.info("server");
    pids.redis = Number(/process_id:(\d+)/.exec(info)?.[1]);
  } finally {
    redis.disconnect();
  }
  return pids;
}

/** The whole machine's busy CPU time (every process and the kernel), in ms: what the process trees miss. */
export function machineCpuMs(): number {
  const [, user, nice, system, , , irq, softirq, steal] = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) * TICK_MS;
}

/** The key under which a reading holds the whole machine's CPU (not a part: never summed with them). */
export const MACHINE = "machine";

export function cpuNow(pids: Parts): Parts {
  return { ...Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, treeCpuMs(pid)])), [MACHINE]: machineCpuMs() };
}

/** CPU ms per run of each part between two readings. */
export function cpuPerRun(before: Parts, after: Parts, runs: number): Parts {
  return Object.fromEntries(Object.keys(before).map((name) => [name, (after[name]! - before[name]!) / runs]));
}

export interface Sample {
  executionId: string;
  totalMs: number;
  web: Stage[];
}

export interface StageRow {
  part: string;
  stage: string;
  p50: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : Number.NaN;
};

/** Median of each stage over the samples, in the order the stages happen; the client's own share last. */
export async function stageMedians(redisUrl: string, samples: Sample[]): Promise<StageRow[]> {
  const redis = new Redis(redisUrl);
  let runner: Map<string, Stage[]>;
  try {
    runner = await readStages(redis, new Set(samples.map((s) => s.executionId)));
  } finally {
    redis.disconnect();
  }
  const rows: StageRow[] = [];
  const collect = (part: string, lists: Stage[][]) => {
    const byName = new Map<string, number[]>();
    for (const list of lists) for (const s of list) byName.set(s.stage, [...(byName.get(s.stage) ?? []), s.ms]);
    for (const [stage, values] of byName) rows.push({ part, stage, p50: median(values) });
  };
  collect(
    "web",
    samples.map((s) => s.web),
  );
  collect("runner", [...runner.values()]);
  const outside = samples.map((s) => s.totalMs - s.web.reduce((sum, w) => sum + w.ms, 0));
  rows.push({ part: "client", stage: "http+answer", p50: median(outside) });
  rows.push({ part: "client", stage: "total", p50: median(samples.map((s) => s.totalMs)) });
  return rows;
}

export function printStages(title: string, rows: StageRow[]): void {
  console.log(`\n${title}\n`);
  console.log("| part | stage | p50 ms |");
  console.log("|---|---|---|");
  for (const r of rows) console.log(`| ${r.part} | ${r.stage.includes(".") ? `&nbsp;&nbsp;${r.stage}` : r.stage} | ${r.p50.toFixed(2)} |`);
}

/** `bare`: the bare runs' own CPU and the machine's while they ran, per run. */
export function printCpu(title: string, rows: Array<[string, Parts]>, bare: { own: number; machine: number }): void {
  const parts = [...new Set(rows.flatMap(([, p]) => Object.keys(p)))].filter((k) => k !== MACHINE);
  console.log(`\n${title}\n`);
  console.log(`| how | ${parts.join(" | ")} | parts together | vs bare | whole machine | vs bare |`);
  console.log(`|---|${parts.map(() => "---|").join("")}---|---|---|---|`);
  console.log(`| bare process | ${parts.map(() => "").join(" | ")} | ${bare.own.toFixed(1)} | 1.0x | ${bare.machine.toFixed(1)} | 1.0x |`);
  for (const [name, p] of rows) {
    const all = parts.reduce((sum, k) => sum + (p[k] ?? 0), 0);
    const machine = p[MACHINE] ?? Number.NaN;
    console.log(
      `| ${name} | ${parts.map((k) => (p[k] === undefined ? "" : p[k].toFixed(1))).join(" | ")} | ${all.toFixed(1)} | ${(all / bare.own).toFixed(1)}x | ${machine.toFixed(1)} | ${(machine / bare.machine).toFixed(1)}x |`,
    );
  }
}
