import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import fs from "node:fs";

/** A child process we started and must stop again, in order, on shutdown. */
export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
}

export function startProcess(name: string, command: string, args: string[], options: SpawnOptions & { logFile?: string } = {}): ManagedProcess {
  const { logFile, ...spawnOptions } = options;
  let stdio: SpawnOptions["stdio"] = spawnOptions.stdio ?? "inherit";
  if (logFile) {
    const fd = fs.openSync(logFile, "a", 0o600);
    stdio = ["ignore", fd, fd];
  }
  // Each child gets its own process group, so a Ctrl-C (sent to the terminal's whole group)
  // reaches only the supervisor, which then stops the children in the right order.
  const child = spawn(command, args, { detached: true, ...spawnOptions, stdio });
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
    child.once("error", (err) => resolve(`failed to start: ${err.message}`));
  });
  return { name, child, exited };
}

/** Asks a process to stop with `signal`, and kills it if it has not exited after `graceMs`. */
export async function stopProcess(proc: ManagedProcess, signal: NodeJS.Signals = "SIGTERM", graceMs = 15000) {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return proc.exited;
  proc.child.kill(signal);
  const timer = setTimeout(() => proc.child.kill("SIGKILL"), graceMs);
  try {
    return await proc.exited;
  } finally {
    clearTimeout(timer);
  }
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, failed?: () => string | undefined) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const early = failed?.();
    if (early) throw new Error(`${what}: ${early}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Last lines of a log file, to show beside a start-up failure. */
export function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}
