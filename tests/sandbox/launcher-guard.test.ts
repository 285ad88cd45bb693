import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cgroupPids, killCgroup, type CgroupLayout } from "../../runner/sandbox/oci/cgroup-kill";
import { Launcher } from "../../runner/sandbox/oci/launcher";
import { removeCgroupTree } from "../../runner/sandbox/oci/run-cgroup";
import { hostProcessesWith } from "../support/attack-suite";
import { ROOT, tempDir } from "../support/stack";

/**
 * The launcher's parent-death chain (launcher.pl, parent-death.pl) with real
 * processes: a "runner" is killed with SIGKILL and nothing it started through
 * the launcher may stay. The commands are benign host processes (sleeps)
 * named with a random marker, in test cgroups of this host's v1 hierarchies.
 */
const V1: CgroupLayout = { version: 1, root: "/sys/fs/cgroup" };
const SCRIPT = path.join(ROOT, "runner", "sandbox", "oci", "launcher.pl");
const groups: ChildProcess[] = [];
const cgroups: string[] = [];
const launchers: Launcher[] = [];

afterEach(async () => {
  for (const l of launchers.splice(0)) l.close();
  for (const g of groups.splice(0)) {
    try {
      process.kill(-g.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
  }
  for (const cg of cgroups.splice(0)) {
    await killCgroup(cg, V1);
    await removeCgroupTree(cg).catch(() => undefined);
  }
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const from = Date.now();
  while (!check()) {
    if (Date.now() - from > timeoutMs) throw new Error(`${what}: not after ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/** A test cgroup in the freezer and pids hierarchies (those the kill uses). */
function testCgroup(): { path: string; procs: string[] } {
  const p = `/sam-test-guard-${randomBytes(4).toString("hex")}`;
  cgroups.push(p);
  const dirs = ["freezer", "pids"].map((c) => path.join(V1.root, c, p));
  for (const d of dirs) fs.mkdirSync(d);
  return { path: p, procs: dirs.map((d) => path.join(d, "cgroup.procs")) };
}

/** A shell command that joins the cgroup, leaves a sleep behind, and sleeps itself, both named by the marker. */
const sleepersIn = (cg: { procs: string[] }, marker: string) =>
  `${cg.procs.map((f) => `echo $$ > ${f}`).join(" && ")} && (exec -a ${marker}-child sleep 1000 &) && exec -a ${marker} sleep 1000`;

describe("the launcher when its runner dies", () => {
  it("a waiter blocked opening its FIFOs (the runner died before opening its ends) ends, and the launcher with it", async () => {
    const dir = tempDir("sam-launcher-");
    // The runner: a shell that asks for a run, never opens the FIFOs, and keeps the launcher's stdin open.
    const runner = spawn(
      "sh",
      ["-c", `(printf 'hello\\thello\\nrun\\tr1\\t%s\\t-\\t/bin/sleep\\t1000\\n' "$1"; exec sleep 1000) | perl "$0" $$`, SCRIPT, dir],
      { detached: true, stdio: "ignore" },
    );
    groups.push(runner);
    const mine = () => hostProcessesWith(`launcher.pl ${runner.pid}`);
    // The launcher and its waiter, stuck in the open.
    await eventually("the waiter starts", () => mine().length >= 2 && fs.existsSync(path.join(dir, "stdout")));
    process.kill(runner.pid!, "SIGKILL");
    await eventually("the launcher and its waiter end", () => mine().length === 0);
  });

  it("a run's cgroup is killed and removed when the runner is killed with SIGKILL", async () => {
    const cg = testCgroup();
    const marker = `sam-guard-${randomBytes(4).toString("hex")}`;
    const dir = tempDir("sam-launcher-");
    const code = `import { Launcher } from "./runner/sandbox/oci/launcher.ts";
const launched = await new Launcher().run(${JSON.stringify(dir)}, ["/bin/bash", "-c", process.env.SAM_TEST_COMMAND], ${JSON.stringify(cg.path)});
launched.stdout.resume(); launched.stderr.resume();
console.log("running");
setInterval(() => {}, 1000);`;
    // The command goes by the environment: the marker must show on the host only in the sleepers.
    const runner = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, SAM_TEST_COMMAND: sleepersIn(cg, marker) },
    });
    groups.push(runner);
    await new Promise<void>((resolve, reject) => {
      runner.stdout!.on("data", (c: Buffer) => c.toString().includes("running") && resolve());
      runner.once("exit", (c) => reject(new Error(`the runner exited (${c})`)));
    });
    await eventually(
      "both sleepers run in the cgroup",
      () => hostProcessesWith(marker).length === 2 && cgroupPids(path.join(V1.root, "pids", cg.path)).length === 2,
    );

    runner.kill("SIGKILL");
    await eventually("the sleepers end", () => hostProcessesWith(marker).length === 0);
    await eventually(
      "the run's cgroup is removed",
      () => !fs.existsSync(path.join(V1.root, "pids", cg.path)) && !fs.existsSync(path.join(V1.root, "freezer", cg.path)),
    );
    await eventually("the waiter ends", () => hostProcessesWith(`launcher.pl ${runner.pid}`).length === 0);
  });

  it("a guard kills its cgroups only if the launcher ends before it is released", async () => {
    const marker = `sam-guard-${randomBytes(4).toString("hex")}`;
    const released = testCgroup();
    const kept = testCgroup();
    const sleepers = [released, kept].map((cg, i) => {
      const child = spawn("bash", ["-c", sleepersIn(cg, `${marker}-${i}`)], { detached: true, stdio: "ignore" });
      groups.push(child);
      return child;
    });
    await eventually("the sleepers run", () => hostProcessesWith(marker).length === 4);
    const launcher = new Launcher();
    launchers.push(launcher);
    const first = await launcher.guard([released.path]);
    await launcher.guard([kept.path, "/sam-test-guard-none"]);
    await first.release();
    // The launcher ends as it would with its runner: the guard still held kills its cgroup.
    launcher.close();
    await eventually("the guarded sleepers end", () => hostProcessesWith(`${marker}-1`).length === 0);
    expect(hostProcessesWith(`${marker}-0`)).toHaveLength(2);
    expect(sleepers[0]!.exitCode).toBeNull();
  });
});
