import { spawn, execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import {
  SandboxInfrastructureError,
  type SandboxDriver,
  type SandboxHandle,
  type SandboxOutcome,
  type SandboxRun,
  type SandboxStreams,
} from "../driver";
import { loadSeccompProfile, type SeccompProfile } from "../seccomp";
import { ociConfig } from "./bundle";
import { readCgroupStats, readCpuTimeMs } from "./cgroup-stats";
import { writeInputDir } from "../input-dir";

const run = promisify(execFile);

export interface OciDriverOptions {
  /** The OCI runtime binary: runc (default), crun, or gVisor's runsc. */
  runtime: string;
  /** The unpacked root filesystem of the runtime image, shared read-only by every run. */
  rootfs: string;
  /** Where bundles and the runtime's state live (under SAM_DATA_DIR). */
  workDir: string;
  /** CPU share of one run, in cores. */
  cpuCores?: number;
}

/**
 * The daemonless driver: runs each program with an OCI runtime directly on a
 * bundle of its own (config.json + the shared read-only rootfs). Several times
 * faster than going through a container engine, with the same isolation.
 */
export class OciDriver implements SandboxDriver {
  readonly name = "oci" as const;
  private readonly seccomp: SeccompProfile;
  private readonly stateDir: string;

  constructor(private readonly opts: OciDriverOptions) {
    this.seccomp = loadSeccompProfile();
    this.stateDir = path.join(opts.workDir, "runtime-state");
    fs.mkdirSync(this.stateDir, { recursive: true, mode: 0o700 });
    fs.mkdirSync(path.join(opts.workDir, "bundles"), { recursive: true, mode: 0o700 });
    this.removeLeftovers();
  }

  /** Containers and bundles left by a runner that was killed: nothing of an old run survives a restart. */
  private removeLeftovers(): void {
    try {
      const ids = execFileSync(this.opts.runtime, ["--root", this.stateDir, "list", "-q"], { encoding: "utf8" }).split("\n").filter(Boolean);
      for (const id of ids) execFileSync(this.opts.runtime, ["--root", this.stateDir, "delete", "--force", id], { stdio: "ignore" });
    } catch {
      /* nothing to list yet */
    }
    const bundles = path.join(this.opts.workDir, "bundles");
    for (const name of fs.readdirSync(bundles)) fs.rmSync(path.join(bundles, name), { recursive: true, force: true });
  }

  private runtime(args: string[]) {
    return run(this.opts.runtime, ["--root", this.stateDir, ...args], { timeout: 30_000 });
  }

  async start(spec: SandboxRun, streams: SandboxStreams): Promise<SandboxHandle> {
    const containerId = `sam-${spec.id}`;
    const bundle = path.join(this.opts.workDir, "bundles", spec.id);
    const inputDir = path.join(bundle, "in");
    const cgroupsPath = `/sam/${containerId}`;
    try {
      fs.mkdirSync(bundle, { mode: 0o755 });
      writeInputDir(inputDir, spec);
      const config = ociConfig(spec, {
        rootfs: this.opts.rootfs,
        inputDir,
        cgroupsPath,
        seccomp: this.seccomp,
        cpuCores: this.opts.cpuCores ?? 1,
      });
      fs.writeFileSync(path.join(bundle, "config.json"), JSON.stringify(config));
    } catch (err) {
      fs.rmSync(bundle, { recursive: true, force: true });
      throw new SandboxInfrastructureError(`could not prepare the bundle: ${(err as Error).message}`, { cause: err });
    }

    const started = Date.now();
    // --keep: the stopped container (and its cgroup) stays until we have read its stats.
    const child = spawn(this.opts.runtime, ["--root", this.stateDir, "run", "--keep", "--bundle", bundle, containerId], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (c: Buffer) => streams.stdout(c));
    child.stderr.on("data", (c: Buffer) => streams.stderr(c));

    let killedFor: SandboxOutcome["killedFor"] = null;
    const kill = async (reason: NonNullable<SandboxOutcome["killedFor"]>) => {
      killedFor ??= reason;
      // Killing the container's init ends its whole pid namespace: nothing it forked survives.
      await this.runtime(["kill", containerId, "KILL"]).catch(() => undefined);
    };
    const wallTimer = setTimeout(() => void kill("wall_time"), spec.limits.wallTimeMs);
    // rlimits count per process; the cgroup counts every process of the run.
    const cpuWatch = setInterval(() => {
      const used = readCpuTimeMs(cgroupsPath);
      if (used !== null && used > spec.limits.cpuTimeMs) void kill("cpu_time");
    }, 50);

    const done = new Promise<SandboxOutcome>((resolve, reject) => {
      child.once("error", (err) => reject(new SandboxInfrastructureError(`${this.opts.runtime} failed to start: ${err.message}`)));
      child.once("close", (code, signal) => {
        clearTimeout(wallTimer);
        clearInterval(cpuWatch);
        const wallTimeMs = Date.now() - started;
        const stats = readCgroupStats(cgroupsPath);
        void this.cleanup(containerId, bundle);
        // runc exits 128+N when the container's init died of signal N.
        const bySignal = code !== null && code > 128 && code < 160 ? os.constants.signals : undefined;
        const signalName = bySignal ? (Object.entries(bySignal).find(([, n]) => n === code! - 128)?.[0] ?? null) : signal;
        resolve({
          exitCode: bySignal ? null : code,
          signal: signalName ?? null,
          wallTimeMs,
          cpuTimeMs: stats.cpuTimeMs,
          memoryKb: stats.memoryPeakKb,
          oomKilled: stats.oomKilled,
          killedFor,
        });
      });
    });
    return { done, kill: (reason) => kill(reason) };
  }

  private async cleanup(containerId: string, bundle: string) {
    await this.runtime(["delete", "--force", containerId]).catch(() => undefined);
    // rm never follows symlinks, and the program could not write here anyway (read-only mount).
    fs.rmSync(bundle, { recursive: true, force: true });
  }

  async close(): Promise<void> {}
}
