import fs from "node:fs";
import path from "node:path";
import type { SandboxLimits, SandboxStreams } from "../driver";
import type { LaunchedProcess } from "./launcher";
import type { OciRuntimeBinary } from "./runtime-binary";

/**
 * One OCI container of one run, from the runtime's `run` to deletion. It lives
 * in a child of the run's own cgroup (`cgroupPath`, made by the runner: see
 * run-cgroup.ts), which holds the limits and outlives the container. Started
 * either for a known run, or ahead of demand: its launcher then says it is
 * waiting (one line on stderr) and waits for a line on its stdin, by which
 * time the run's files and settings are in place. Either way it serves exactly
 * one run.
 */
export interface OciContainer {
  id: string;
  bundle: string;
  inputDir: string;
  cgroupPath: string;
  limits: SandboxLimits;
  proc: LaunchedProcess;
  /** Where output goes; null until the container has its run. */
  sink: SandboxStreams | null;
  /** The runtime's exit status (128+N when the container's init died of signal N); null if it never ran. */
  closed: Promise<number | null>;
  exited: boolean;
  /** Started ahead of demand: resolves once its launcher waits for the go. */
  waiting: Promise<void> | null;
  /** performance.now() when the runtime was spawned (for the run's stages). */
  spawnedAt?: number;
  /** Set once something kills it: the retries until it is gone (see OciDriver.killUntilGone). */
  killing?: Promise<void>;
}

/** What sam-run prints, alone on the first line of stderr, while it waits for the go. */
const WAITING_LINE = "sam-run: waiting\n";

export async function spawnContainer(
  runtime: OciRuntimeBinary,
  fields: Omit<OciContainer, "proc" | "sink" | "closed" | "exited" | "waiting" | "killing" | "spawnedAt">,
  opts: { warm: boolean; interactive?: boolean },
): Promise<OciContainer> {
  const proc = await runtime.run(fields.bundle, fields.bundle, fields.id, fields.cgroupPath);
  const container: OciContainer = { ...fields, proc, sink: null, exited: false, closed: undefined as never, waiting: null };
  // A cold, non-interactive run reads its stdin from a file: the pipe has nothing to say.
  if (!opts.warm && !opts.interactive) proc.stdin.end();
  container.closed = proc.closed.then((status) => {
    container.exited = true;
    return status;
  });
  proc.stdout.on("data", (c: Buffer) => container.sink?.stdout(c));
  let head = opts.warm ? "" : null; // stderr before the waiting line, while we look for it
  let markWaiting = () => {};
  if (opts.warm) {
    container.waiting = new Promise<void>((resolve, reject) => {
      markWaiting = resolve;
      void container.closed.then(() => reject(new Error("the container ended before its launcher was ready")));
    });
    container.waiting.catch(() => undefined);
  }
  proc.stderr.on("data", (c: Buffer) => {
    if (head === null) return container.sink?.stderr(c);
    head += c.toString("latin1");
    if (head.length < WAITING_LINE.length && WAITING_LINE.startsWith(head)) return;
    const rest = head.startsWith(WAITING_LINE) ? head.slice(WAITING_LINE.length) : head;
    if (rest !== head) markWaiting();
    head = null;
    if (rest) container.sink?.stderr(Buffer.from(rest, "latin1"));
  });
  return container;
}

/** The file-based settings a warm container's launcher reads once the run is known (see sam-run). */
export function writeWarmSettings(inputDir: string, env: Record<string, string>, args: string[], cpuSeconds: number): void {
  const envDir = path.join(inputDir, "env");
  fs.mkdirSync(envDir, { recursive: true, mode: 0o755 });
  for (const name of ["SAM_ENTRY", "SAM_COMPILE", "SAM_COMPILE_SECONDS", "SAM_RUN", "SAM_MARKER", "SAM_INTERACTIVE"]) {
    fs.writeFileSync(path.join(envDir, name), env[name] ?? "", { mode: 0o644, flag: "wx" });
  }
  fs.writeFileSync(path.join(inputDir, "args"), args.map((a) => `${a}\0`).join(""), { mode: 0o644, flag: "wx" });
  fs.writeFileSync(path.join(inputDir, "cpu-seconds"), String(cpuSeconds), { mode: 0o644, flag: "wx" });
}

/**
 * Tells a warm container's launcher to go, once it waits. A loaded machine can
 * take seconds to get there; the run's own clock has not started yet.
 */
export async function signalGo(container: OciContainer, interactive: boolean, timeoutMs = 60_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the warm container's launcher never became ready")), timeoutMs);
  });
  try {
    await Promise.race([container.waiting, timeout]);
  } finally {
    clearTimeout(timer);
  }
  // Interactive: the pipe stays open, and what follows the go line is the program's input.
  if (interactive) container.proc.stdin.write("go\n");
  else container.proc.stdin.end("go\n");
}
