import { spawn } from "node:child_process";
import os from "node:os";
import fs from "node:fs";
import path from "node:path";
import { DEFAULT_POLICY, resolveLimits } from "../lib/executions/limits";
import { ensureRootfs, ensureRuntimeImage } from "../runner/images/runtime-image";
import { executeProgram } from "../runner/execution/execute";
import { loadCatalogue } from "../runner/languages/catalogue";
import { OciDriver } from "../runner/sandbox/oci/driver";
import { BwrapDriver } from "../runner/sandbox/bwrap/driver";
import { resolveOciRuntime } from "../runner/sandbox/select";
import { benchQueueDepth } from "./metrics";
import { startBacking, startService, type Backing, type RunningService } from "../tests/support/stack";
import { parseServerTiming } from "../lib/perf/stages";
import {
  cpuNow,
  cpuPerRun,
  MACHINE,
  machineCpuMs,
  partPids,
  printCpu,
  printStages,
  stageMedians,
  treeCpuMs,
  type Parts,
  type Sample,
  type StageRow,
} from "./breakdown";
import { benchCollab } from "./collab";
import { benchPriorities, printPriorities } from "./priorities";
import { benchDatabase, printDatabase } from "./database";
import { benchClassroom, printClassroom } from "./classroom";
import { benchCompiled, printCompiled } from "./compiled";

/**
 * `npm run bench`: end-to-end latency and throughput of running a Python
 * hello world through the public API (POST ?wait=true), for each sandbox
 * driver, against the same program as a bare process on this machine.
 * Medians and ratios are what to compare; machines are noisy.
 */
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 100);
const THROUGHPUT_RUNS = Number(process.env.BENCH_THROUGHPUT ?? 200);
const CONCURRENCY = 2 * os.availableParallelism();
const SANDBOX_DIR = process.env.SAM_SANDBOX_DIR ?? "/var/tmp/sam-test-sandbox";
const PROGRAM = "print('hello')";
const SPACED = Number(process.env.BENCH_SPACED ?? 30);
const SPACED_GAP_MS = 500;
/** The drivers measured through the API; oci and bwrap are also measured alone (no API). */
const DRIVERS = (process.env.BENCH_DRIVERS ?? "oci,bwrap,docker").split(",").filter(Boolean) as Array<"oci" | "bwrap" | "docker">;
/** Which parts to run: executions (sandboxes; with it, database round trips), database (alone), compiled (C and Java, first and unchanged runs), collab (rooms), priorities (the queue's order under load), metrics (the cost of a scrape), classroom (a deadline spike of gradings). */
const PARTS = (process.env.BENCH_PARTS ?? "executions,compiled,collab,priorities,metrics,classroom").split(",");

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function pool(total: number, concurrency: number, task: () => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) await task();
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

function bareRun(): Promise<void> {
  return new Promise((resolve, reject) => {
    // Debian's python3, the same interpreter the sandbox image has (not a version-manager shim on PATH).
    const child = spawn("/usr/bin/python3", ["-c", PROGRAM], { stdio: ["ignore", "pipe", "inherit"] });
    child.stdout.resume();
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`python3 exited ${code}`))));
  });
}

type Row = { p50: number; p99: number; throughput: number; spacedP50: number; cpu?: Parts; stages?: StageRow[]; spacedStages?: StageRow[] };

/** Runs `submit` back to back, at concurrency, then spaced; `cpu` reads the CPU used so far by each part. */
async function measure(submit: () => Promise<Sample | void>, cpu?: () => Parts, redisUrl?: string): Promise<Row> {
  for (let i = 0; i < 3; i++) await submit(); // warm-up
  const latencies: number[] = [];
  const samples: Sample[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) {
    const start = performance.now();
    const sample = await submit();
    latencies.push(performance.now() - start);
    if (sample) samples.push(sample);
  }
  const cpuBefore = cpu?.();
  const throughput = await pool(THROUGHPUT_RUNS, CONCURRENCY, async () => void (await submit()));
  const cpuUsed = cpuBefore && cpuPerRun(cpuBefore, cpu!(), THROUGHPUT_RUNS);
  // As people use an IDE: a run now and then, not back to back (warm containers have time to start).
  const spaced: number[] = [];
  const spacedSamples: Sample[] = [];
  for (let i = 0; i < SPACED; i++) {
    await new Promise((r) => setTimeout(r, SPACED_GAP_MS));
    const start = performance.now();
    const sample = await submit();
    spaced.push(performance.now() - start);
    if (sample) spacedSamples.push(sample);
  }
  const stages = samples.length && redisUrl ? await stageMedians(redisUrl, samples) : undefined;
  const spacedStages = spacedSamples.length && redisUrl ? await stageMedians(redisUrl, spacedSamples) : undefined;
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), throughput, spacedP50: percentile(spaced, 50), cpu: cpuUsed, stages, spacedStages };
}

/** CPU of this process's reaped children (the bare runs), in ms. */
function childrenCpuMs(): number {
  const f = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  return (Number(f[13]) + Number(f[14])) * 10;
}

/** A daemonless driver alone, as the runner calls it (no API, queue or database): the floor a fresh sandbox sets. */
async function benchDriverAlone(kind: "oci" | "bwrap", rootfs: string): Promise<Row> {
  const runtime = resolveOciRuntime("auto");
  if (!runtime) throw new Error("the oci and bwrap drivers need root (and crun or runc for oci)");
  const python = loadCatalogue().find((l) => l.language === "python")!;
  const limits = resolveLimits(DEFAULT_POLICY, python.limits, {});
  const workDir = fs.mkdtempSync(path.join(SANDBOX_DIR, "bench-"));
  // As the runner makes them by default: two sandboxes kept started ahead of demand.
  const driver = kind === "oci" ? new OciDriver({ runtime, rootfs, workDir, warmContainers: 2 }) : new BwrapDriver({ rootfs, workDir, warmSandboxes: 2 });
  try {
    return await measure(
      async () => {
        const r = await executeProgram(driver, python, { files: [{ name: "main.py", content: PROGRAM }], stdin: "", args: [] }, limits, DEFAULT_POLICY.diskMb);
        if (r.stdout !== "hello\n") throw new Error(`unexpected result: ${JSON.stringify(r)}`);
      },
      () => ({ driver: treeCpuMs(process.pid), [MACHINE]: machineCpuMs() }),
    );
  } finally {
    await driver.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

async function benchDriver(backing: Backing, web: RunningService, token: string, driver: "oci" | "bwrap" | "docker") {
  const runner = await startService("runner/main.ts", backing, {
    SAM_SANDBOX_DIR: SANDBOX_DIR,
    SAM_SANDBOX_DRIVER: driver,
    LOG_LEVEL: "warn",
    SAM_STAGE_TIMINGS: "true",
  });
  const submit = async (): Promise<Sample> => {
    const start = performance.now();
    const res = await fetch(`${web.url}/api/v1/executions?wait=true`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ language: "python", files: [{ name: "main.py", content: PROGRAM }] }),
    });
    const body = (await res.json()) as { id: string; status?: string; stdout?: string };
    if (body.status !== "succeeded" || body.stdout !== "hello\n") throw new Error(`unexpected result: ${JSON.stringify(body)}`);
    return { executionId: body.id, totalMs: performance.now() - start, web: parseServerTiming(res.headers.get("server-timing")) };
  };
  try {
    const pids = await partPids(backing, { web, runner });
    return await measure(submit, () => cpuNow(pids), backing.redisUrl);
  } finally {
    await runner.stop();
  }
}

async function benchExecutions(backing: Backing, web: RunningService, token: string, rootfs: string, log: (m: string) => void) {
  log(`bare process: ${SEQUENTIAL} sequential runs, then ${THROUGHPUT_RUNS} at concurrency ${CONCURRENCY}`);
  await bareRun();
  const bareLatencies: number[] = [];
  for (let i = 0; i < SEQUENTIAL; i++) bareLatencies.push(await timed(bareRun));
  const bareCpuBefore = childrenCpuMs();
  const bareMachineBefore = machineCpuMs();
  const bare = {
    p50: percentile(bareLatencies, 50),
    p99: percentile(bareLatencies, 99),
    throughput: await pool(THROUGHPUT_RUNS, CONCURRENCY, bareRun),
    spacedP50: NaN,
  };
  const bareCpu = { own: (childrenCpuMs() - bareCpuBefore) / THROUGHPUT_RUNS, machine: (machineCpuMs() - bareMachineBefore) / THROUGHPUT_RUNS };

  const rows: Array<[string, Row]> = [["bare process", bare]];
  for (const kind of DRIVERS.filter((d) => d !== "docker")) {
    const name = kind === "oci" ? `oci driver alone (${resolveOciRuntime("auto")}, no API)` : "bwrap driver alone (no API)";
    log(`${name}: the same runs`);
    rows.push([name, await benchDriverAlone(kind as "oci" | "bwrap", rootfs)]);
  }
  for (const driver of DRIVERS) {
    log(`${driver} driver: ${SEQUENTIAL} sequential runs through the API, then ${THROUGHPUT_RUNS} at concurrency ${CONCURRENCY}`);
    rows.push([
      `${driver} driver${driver === "oci" ? ` (${resolveOciRuntime("auto")})` : ""} (API, end to end)`,
      await benchDriver(backing, web, token, driver),
    ]);
  }
  const fmt = (n: number) => n.toFixed(n < 10 ? 2 : 0);
  console.log(
    `\nPython hello world on ${os.cpus()[0]?.model?.trim()} x${os.availableParallelism()}, ${SEQUENTIAL} sequential runs, ${THROUGHPUT_RUNS} runs at concurrency ${CONCURRENCY}\n`,
  );
  console.log(`| how | p50 latency ms | p99 latency ms | throughput runs/s | p50 vs bare | throughput vs bare | p50 ms, runs ${SPACED_GAP_MS} ms apart |`);
  console.log("|---|---|---|---|---|---|---|");
  for (const [name, r] of rows) {
    const spaced = Number.isNaN(r.spacedP50) ? "" : `${fmt(r.spacedP50)} (${(r.spacedP50 / bare.p50).toFixed(1)}x)`;
    console.log(
      `| ${name} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.throughput)} | ${(r.p50 / bare.p50).toFixed(1)}x | ${((r.throughput / bare.throughput) * 100).toFixed(0)}% | ${spaced} |`,
    );
  }
  for (const [name, r] of rows) {
    if (r.stages) printStages(`Where a run's time goes: ${name}, median of ${SEQUENTIAL} back-to-back runs (SAM_STAGE_TIMINGS)`, r.stages);
    if (r.spacedStages) printStages(`Where a run's time goes: ${name}, median of ${SPACED} runs ${SPACED_GAP_MS} ms apart`, r.spacedStages);
  }
  const cpuRows = rows.filter(([, r]) => r.cpu).map(([name, r]) => [name, r.cpu!] as [string, Parts]);
  printCpu(`CPU ms per run at concurrency ${CONCURRENCY}, by part (each part's whole process tree; the runner's includes its sandboxes)`, cpuRows, bareCpu);
}

async function main() {
  const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
  const tag = await ensureRuntimeImage({ engine: "podman", log });
  const rootfs = await ensureRootfs({ engine: "podman", log }, tag, `${SANDBOX_DIR}/images`);
  const backing = await startBacking();
  const web = await startService("web/server.ts", backing, { SAM_RUNS_PER_MINUTE: "1000000", LOG_LEVEL: "warn", SAM_STAGE_TIMINGS: "true" });
  try {
    const reg = await fetch(`${web.url}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "bench", password: "benchmark password" }),
    });
    const { token } = (await reg.json()) as { token: string };

    if (PARTS.includes("executions")) await benchExecutions(backing, web, token, rootfs, log);
    if (PARTS.includes("executions") || PARTS.includes("database")) printDatabase(await benchDatabase(backing, log));
    if (PARTS.includes("compiled")) printCompiled(await benchCompiled(backing, web.url, token, log));
    if (PARTS.includes("priorities")) printPriorities(await benchPriorities(backing, log));
    if (PARTS.includes("collab")) {
      const collab = await startService("collab/main.ts", backing, { LOG_LEVEL: "warn" });
      try {
        const r = await benchCollab(backing, collab, log);
        console.log(`\nRooms: ${r.clients} clients typing in one room; each speed the median of its rounds (by p99)\n`);
        console.log("| each types | edits | seen by every other client: p50 ms | p99 ms | by the first other: p50 ms | p99 ms | p99 of each round |");
        console.log("|---|---|---|---|---|---|---|");
        for (const t of r.typing) {
          const missing = t.edits - t.delivered ? ` (${t.edits - t.delivered} not seen by all)` : "";
          console.log(
            `| every ${t.intervalMs} ms | ${t.edits}${missing} | ${t.p50.toFixed(1)} | ${t.p99.toFixed(1)} | ${t.firstP50.toFixed(1)} | ${t.firstP99.toFixed(1)} | ${t.roundsP99.map((p) => p.toFixed(0)).join(", ")} |`,
          );
        }
        console.log(`\nCollab memory per open room: ${(r.perRoomKb / 1024).toFixed(3)} MiB`);
      } finally {
        await collab.stop();
      }
    }
    if (PARTS.includes("classroom")) printClassroom(await benchClassroom(backing, log));
    if (PARTS.includes("metrics")) {
      const costs = await benchQueueDepth(backing, log);
      console.log("\nMetrics: the web process computing sam_queue_jobs per scrape\n");
      console.log("| jobs queued | first scrape ms | later scrapes, median ms |");
      console.log("|---|---|---|");
      for (const c of costs) console.log(`| ${c.jobs} | ${c.firstMs.toFixed(1)} | ${c.steadyMs.toFixed(1)} |`);
    }
  } finally {
    await web.stop();
    await backing.stop();
  }
}

await main();
