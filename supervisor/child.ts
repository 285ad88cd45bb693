import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import fs from "node:fs";

/**
 * Every child this process started and that has not exited yet: shutdown ends
 * these last, whatever step start-up was at when the signal came (a child whose
 * start had not returned is in no stop list yet). One set per process, as the
 * processes it tracks are.
 */
const alive = new Set<ManagedProcess>();
/** Set once shutdown begins: start-up steps still under way then start nothing more. */
let refusing = false;

/** From now on startProcess() throws: for shutdown, so no child is started behind its back. */
export function refuseNewChildren(): void {
  refusing = true;
}

/** A child process we started and must stop again, in order, on shutdown. */
export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
}

export function startProcess(name: string, command: string, args: string[], options: SpawnOptions & { logFile?: string } = {}): ManagedProcess {
  if (refusing) throw new Error(`not starting ${name}: shutting down`);
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
  const proc = { name, child, exited };
  alive.add(proc);
  void exited.then(() => alive.delete(proc));
  return proc;
}

/** Sends `signal` to every process of the child's group (it leads one, being detached); false when none is left. */
function signalGroup(proc: ManagedProcess, signal: NodeJS.Signals): boolean {
  if (proc.child.pid === undefined) return false;
  try {
    process.kill(-proc.child.pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Asks a process to stop with `signal` and waits until it has exited; after
 * `graceMs` it and its process group are killed (SIGKILL cannot be refused: a
 * Redis that cannot write its files ignores SIGTERM). Once it has exited,
 * whatever it left in its group (a build it started, say) is killed too, so
 * nothing it started outlives it.
 */
export async function stopProcess(proc: ManagedProcess, signal: NodeJS.Signals = "SIGTERM", graceMs = 15000) {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill(signal);
  const timer = setTimeout(() => signalGroup(proc, "SIGKILL") || proc.child.kill("SIGKILL"), graceMs);
  try {
    return await proc.exited;
  } finally {
    clearTimeout(timer);
    signalGroup(proc, "SIGKILL");
  }
}

/** Stops every child still running (see `alive`), all at once, and waits for each to exit. */
export async function stopAllChildren(graceMs = 10_000): Promise<string[]> {
  const left = [...alive];
  await Promise.all(left.map((proc) => stopProcess(proc, "SIGTERM", graceMs)));
  return left.map((p) => p.name);
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
