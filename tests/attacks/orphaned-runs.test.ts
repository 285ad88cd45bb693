import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, expect, inject, it } from "vitest";
import { killCgroup } from "../../runner/sandbox/oci/cgroup-kill";
import { removeCgroupTree } from "../../runner/sandbox/oci/run-cgroup";
import { blocksInUse, listRuns, RUNS_TOP } from "../../runner/sandbox/oci/run-registry";
import { IDS_PER_RANGE, UidRangeAllocator } from "../../runner/sandbox/oci/uid-ranges";
import type { SandboxLimits } from "../../runner/sandbox/driver";
import { sandboxOwner } from "../../runner/sandbox/deadline";
import { attackSuite, hostProcessesWith } from "../support/attack-suite";
import type { DriverName } from "../support/drivers";
import { openRunnerDriver, orphanProgramName, runsDir, type OrphanRunnerSpec } from "../support/orphan-runner";
import { ROOT, tempDir } from "../support/stack";

/**
 * A run must not outlive its runner (issue #9: a runner killed with SIGKILL
 * left its container running for ever, its wall time never enforced, and the
 * kernel handed the dead runner's host uid block to the next container while
 * the orphan still ran with it).
 *
 * Each test starts a real runner process (tests/support/orphan-runner.ts: the
 * real driver, launcher and guards) whose run sleeps as `sam-orphan-<marker>`,
 * kills it, and watches the host's processes for the marker:
 *  - the runner alone, with SIGKILL: the parent-death chain ends the run;
 *  - the runner with all its helpers (its whole process group), so nothing
 *    of it is left to clean up: the suite's own driver, another runner on
 *    another data dir, ends the run in its periodic sweep once it is past its
 *    deadline (short limits: ~31 s after its container was made);
 *  - the same, and the runner restarted on its data dir: it ends them at once;
 *  - a uid block is not handed out again while the orphan that holds it lives.
 * Bounds are generous; nothing is timed beyond "eventually".
 */
const RUNNER = path.join(ROOT, "tests", "support", "orphan-runner.ts");
const LONG: SandboxLimits = { cpuTimeMs: 1_000_000, wallTimeMs: 1_000_000, memoryMb: 64, processes: 32, diskMb: 16 };
// The deadline is 30 s (start allowance) + 1 s (wall) + 0 (grace) after the container was made.
const SHORT: SandboxLimits = { ...LONG, wallTimeMs: 1000 };

interface StartedRunner {
  spec: OrphanRunnerSpec;
  child: ChildProcess;
  /** The pid of the sleeping program, on the host. */
  programPid: number;
}

const started: StartedRunner[] = [];

function sleep(ms: number) {
  return new Promise((r) => setTimeout(r, ms));
}

async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const from = Date.now();
  while (!(await check())) {
    if (Date.now() - from > timeoutMs) throw new Error(`${what}: not after ${timeoutMs / 1000} s`);
    await sleep(200);
  }
  return Date.now() - from;
}

const programs = (marker: string) => hostProcessesWith(orphanProgramName(marker));

/** Starts a runner process of its own process group (as under a supervisor) and waits for its program to run. */
async function startRunner(kind: DriverName, limits: SandboxLimits, extra: Partial<OrphanRunnerSpec> = {}): Promise<StartedRunner> {
  const spec: OrphanRunnerSpec = {
    kind,
    workDir: tempDir("sam-orphan-"),
    marker: randomBytes(6).toString("hex"),
    rootfs: inject("rootfs"),
    image: inject("imageTag"),
    limits,
    deadlineGraceMs: 0,
    ...extra,
  };
  const child = spawn(process.execPath, ["--import", "tsx", RUNNER, JSON.stringify(spec)], { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const runner: StartedRunner = { spec, child, programPid: 0 };
  started.push(runner);
  let output = "";
  child.stderr!.on("data", (c: Buffer) => (output += c));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (c: Buffer) => {
      output += c;
      if (output.includes("started ")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the runner exited (${code}) before its run started:\n${output}`)));
  });
  await eventually("the program shows on the host", () => programs(spec.marker).length > 0, 30_000);
  runner.programPid = Number(programs(spec.marker)[0]!.trim().split(/\s+/)[0]);
  return runner;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const ociBase = (spec: OrphanRunnerSpec) => `${RUNS_TOP}/${sandboxOwner(runsDir(spec))}`;

const podman = (args: string[]) => spawnSync("podman", ["--runtime", "runc", "--cgroup-manager", "cgroupfs", ...args], { encoding: "utf8", timeout: 60_000 });
const dockerContainers = (spec: OrphanRunnerSpec) =>
  podman(["ps", "-a", "-q", "--filter", `label=sam.run=orphan-${spec.marker}`])
    .stdout.split("\n")
    .filter(Boolean);

// Whatever a test leaves (it failed, or the fix is missing): the runner's group, the program, its cgroups or container.
afterEach(async () => {
  for (const { spec, child } of started.splice(0)) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
    for (const line of programs(spec.marker)) {
      try {
        process.kill(Number(line.trim().split(/\s+/)[0]), "SIGKILL");
      } catch {
        /* gone */
      }
    }
    if (spec.kind === "docker") {
      const ids = dockerContainers(spec);
      if (ids.length) podman(["rm", "-f", "-t", "0", ...ids]);
      // The runner's own Podman service (it ends with the runner; not without the fix).
      for (const line of hostProcessesWith(`podman-${child.pid}.sock`)) {
        try {
          process.kill(Number(line.trim().split(/\s+/)[0]), "SIGTERM");
        } catch {
          /* gone */
        }
      }
    } else {
      await killCgroup(ociBase(spec)).catch(() => false);
      await removeCgroupTree(ociBase(spec)).catch(() => undefined);
    }
    fs.rmSync(spec.workDir, { recursive: true, force: true });
  }
});

attackSuite("runs outliving their runner", ({ kind }) => {
  it("a runner killed with SIGKILL leaves no run behind", async () => {
    const runner = await startRunner(kind, LONG);
    // Its deadline is far away: only the runner's own helpers can end the run in time.
    runner.child.kill("SIGKILL");
    const ms = await eventually("the run ends with its runner", () => programs(runner.spec.marker).length === 0, 60_000);
    console.info(`[orphaned-runs] ${kind}: program gone ${ms} ms after its runner was killed`);
    // Nothing else of the runner is left either (a Podman service it started, its launcher and waiters).
    const childPid = String(runner.child.pid);
    await eventually(
      "the runner's helpers end",
      () => hostProcessesWith(`podman-${childPid}.sock`).length === 0 && hostProcessesWith(`launcher.pl ${childPid}`).length === 0,
      30_000,
    );
  }, 120_000);

  it("a runner killed with all its helpers: another runner's sweep ends the run past its deadline", async () => {
    const runner = await startRunner(kind, SHORT);
    // The whole process group: the runner, its launcher, waiters and guards. Nothing of it is left to clean up.
    process.kill(-runner.child.pid!, "SIGKILL");
    // The suite's driver (another runner, another data dir) sweeps every 10 s.
    await eventually("the orphan is ended", () => programs(runner.spec.marker).length === 0, 150_000);
    // And what it held is released: the run's cgroup (with its uid block) or the container.
    if (kind === "docker") await eventually("the container is removed", () => dockerContainers(runner.spec).length === 0, 60_000);
    else await eventually("the run's cgroup is removed", () => !listRuns().some((r) => r.cgroupPath.startsWith(`${ociBase(runner.spec)}/`)), 60_000);
  }, 240_000);

  it("a runner restarted on the same data dir ends what its killed self left, at once", async () => {
    const runner = await startRunner(kind, LONG);
    process.kill(-runner.child.pid!, "SIGKILL");
    // Far from its deadline: only the restart can end it (crun's tini has ended the program already; its cgroup is left).
    const restarted = await openRunnerDriver({ ...runner.spec, deadlineGraceMs: 60_000 }, 600_000);
    try {
      await eventually("the orphan is ended", () => programs(runner.spec.marker).length === 0, 60_000);
      if (kind === "docker") await eventually("the container is removed", () => dockerContainers(runner.spec).length === 0, 60_000);
      else await eventually("the run's cgroup is removed", () => !listRuns().some((r) => r.cgroupPath.startsWith(`${ociBase(runner.spec)}/`)), 60_000);
    } finally {
      await restarted.close();
    }
  }, 180_000);

  if (kind === "oci/runc") {
    // runc's orphans live until a sweep: its runtime is Go, so its containers cannot ask to die with
    // it (crun's do: tini -p, so they end at once and there is no orphan to share a block with).
    it("a uid block is not handed out again while the orphan that holds it lives", async () => {
      const base = 0xe0000000 + Math.floor(Math.random() * 1024) * IDS_PER_RANGE;
      const runner = await startRunner(kind, SHORT, { uid: { base, ranges: 1 } });
      const uid = Number(/^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${runner.programPid}/status`, "utf8"))![1]);
      expect(uid).toBe(base + 1000);
      process.kill(-runner.child.pid!, "SIGKILL");
      // The dead runner's socket for the block is gone, but its container is not: the block stays taken.
      const allocator = new UidRangeAllocator(base, 1, [], () => blocksInUse());
      let checks = 0;
      while (alive(runner.programPid)) {
        await expect(allocator.allocate()).rejects.toThrow(/all 1 host uid ranges are held by live containers/);
        checks++;
        await sleep(1000);
      }
      expect(checks).toBeGreaterThan(0);
      // Once the sweep has ended it and removed its cgroup, the block is free again.
      let block: { hostId: number; release(): void } | undefined;
      await eventually("the block comes back", async () => (block = await allocator.allocate().catch(() => undefined)) !== undefined, 60_000);
      expect(block!.hostId).toBe(base);
      block!.release();
    }, 240_000);
  }
});
