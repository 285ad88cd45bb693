import fs from "node:fs";
import path from "node:path";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../lib/config/env";
import { connectDockerEngine } from "../../runner/sandbox/docker/engine";
import { startBacking, startService, tempDir } from "../support/stack";

/**
 * The Podman service a runner starts for the docker driver ends with the
 * runner, however the runner ends. A service left behind holds the store's
 * locks and its containers' resources with nobody to ask for them (orphans of
 * crashed runners and test workers were found holding the locks of a wedged
 * store).
 */

/** podman processes whose command line names something under `dir` (the service's socket is under the data dir). */
function podmanProcessesUnder(dir: string): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // gone meanwhile
    }
    if (path.basename(argv[0] ?? "") === "podman" && argv.some((a) => a.includes(dir))) found.push(Number(entry));
  }
  return found;
}

async function gone(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let left = pids;
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    left = left.filter((pid) => fs.existsSync(`/proc/${pid}`));
  }
  return left;
}

describe("the Podman service the docker driver starts", () => {
  it("ends when the engine is closed", async () => {
    const dataDir = tempDir("sam-podman-close-");
    const engine = await connectDockerEngine(loadConfig({ SAM_DATA_DIR: dataDir }), pino({ level: "silent" }));
    const services = podmanProcessesUnder(dataDir);
    expect(services).toHaveLength(1);
    await engine.close();
    expect(await gone(services, 15_000)).toEqual([]);
  });

  it("ends when its runner is killed with SIGKILL", { timeout: 240_000 }, async () => {
    const backing = await startBacking();
    try {
      const runner = await startService("runner/main.ts", backing, { SAM_SANDBOX_DRIVER: "docker" });
      const services = podmanProcessesUnder(backing.dataDir);
      expect(services, fs.readFileSync(runner.logFile, "utf8").slice(-2000)).toHaveLength(1);
      // No chance to close anything, as in a crash or the OOM killer.
      runner.proc.child.kill("SIGKILL");
      await runner.proc.exited;
      expect(await gone(services, 30_000)).toEqual([]);
      expect(podmanProcessesUnder(backing.dataDir)).toEqual([]);
    } finally {
      await backing.stop();
    }
  });

  it("removes the sockets of runners that are gone", async () => {
    const dataDir = tempDir("sam-podman-stale-");
    const runDir = path.join(dataDir, "run");
    fs.mkdirSync(runDir, { recursive: true });
    // A pid above the kernel's maximum (pid_max is at most 2^22) belongs to no process.
    const stale = path.join(runDir, "podman-9999999.sock");
    fs.writeFileSync(stale, "");
    const engine = await connectDockerEngine(loadConfig({ SAM_DATA_DIR: dataDir }), pino({ level: "silent" }));
    try {
      expect(fs.existsSync(stale)).toBe(false);
      expect(fs.existsSync(path.join(runDir, `podman-${process.pid}.sock`))).toBe(true);
    } finally {
      await engine.close();
    }
  });
});
