import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { SandboxLimits, SandboxStreams } from "../driver";

/**
 * One OCI container of one run, from `runc run` to deletion. Started either
 * for a known run, or ahead of demand (its launcher then waits on a FIFO for
 * the run's files and settings). Either way it serves exactly one run.
 */
export interface OciContainer {
  id: string;
  bundle: string;
  inputDir: string;
  cgroupsPath: string;
  limits: SandboxLimits;
  child: ChildProcess;
  /** Where output goes; null while a warm container waits (it prints nothing then). */
  sink: SandboxStreams | null;
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: boolean;
}

export function spawnContainer(
  runtime: string,
  stateDir: string,
  fields: Omit<OciContainer, "child" | "sink" | "closed" | "exited">,
): OciContainer {
  // --keep: the stopped container (and its cgroup) stays until we have read its stats.
  const child = spawn(runtime, ["--root", stateDir, "run", "--keep", "--bundle", fields.bundle, fields.id], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const container: OciContainer = { ...fields, child, sink: null, exited: false, closed: undefined as never };
  child.stdout!.on("data", (c: Buffer) => container.sink?.stdout(c));
  child.stderr!.on("data", (c: Buffer) => container.sink?.stderr(c));
  container.closed = new Promise((resolve) => {
    child.once("error", () => resolve({ code: null, signal: null }));
    child.once("close", (code, signal) => {
      container.exited = true;
      resolve({ code, signal });
    });
  });
  return container;
}

/** The file-based settings a warm container's launcher reads once the run is known (see sam-run). */
export function writeWarmSettings(inputDir: string, env: Record<string, string>, args: string[], cpuSeconds: number): void {
  const envDir = path.join(inputDir, "env");
  fs.mkdirSync(envDir, { recursive: true, mode: 0o755 });
  for (const name of ["SAM_ENTRY", "SAM_COMPILE", "SAM_COMPILE_SECONDS", "SAM_RUN", "SAM_MARKER"]) {
    fs.writeFileSync(path.join(envDir, name), env[name] ?? "", { mode: 0o644, flag: "wx" });
  }
  fs.writeFileSync(path.join(inputDir, "args"), args.map((a) => `${a}\0`).join(""), { mode: 0o644, flag: "wx" });
  fs.writeFileSync(path.join(inputDir, "cpu-seconds"), String(cpuSeconds), { mode: 0o644, flag: "wx" });
}

/**
 * Tells a warm container's launcher to go. Opened non-blocking: until the
 * launcher has the FIFO open for reading the open fails, and we retry rather
 * than block a thread on a container that may have died. A loaded machine can
 * take seconds to get there; the run's own clock has not started yet.
 */
export async function signalGo(container: OciContainer, timeoutMs = 60_000): Promise<void> {
  const fifo = path.join(container.inputDir, "go");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
      try {
        fs.writeSync(fd, "go\n");
      } finally {
        fs.closeSync(fd);
      }
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENXIO") throw err;
      if (container.exited || Date.now() > deadline) throw new Error("the warm container's launcher never became ready");
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}
