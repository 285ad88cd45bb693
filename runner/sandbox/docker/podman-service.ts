import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Docker from "dockerode";
import type { Logger } from "pino";

/**
 * Podman's Docker-compatible API service, which the runner starts for itself
 * when there is no Docker engine, one per runner process. Its life is bound to
 * the runner's, however the runner ends:
 *  - closed in order by stop() on a normal shutdown;
 *  - on a crash or a SIGKILL, the kernel sends the service SIGTERM (parent-death
 *    signal, PR_SET_PDEATHSIG, set by ../oci/parent-death.pl before it runs
 *    podman), and Podman shuts down: it finishes what it was doing to its store
 *    first, and the runner's connections are gone, so that takes a moment.
 * A service left behind would hold the store's locks and keep its containers'
 * resources with nobody to ask for them.
 *
 * The service runs in a process group of its own, so a Ctrl-C at a terminal
 * reaches only the runner, which still needs the service to stop its runs.
 */
export interface PodmanService {
  socket: string;
  /** SIGTERM, then SIGKILL if it has not ended after STOP_GRACE_MS: a wedged service must not outlive us either. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;
/** Runs a command that gets a signal when this process dies, however it dies (the oci driver's helpers use it too). */
const PARENT_DEATH = path.join(import.meta.dirname, "..", "oci", "parent-death.pl");
const STOP_GRACE_MS = 10_000;

export async function startPodmanService(dataDir: string, log: Logger): Promise<PodmanService> {
  const runDir = path.join(dataDir, "run");
  fs.mkdirSync(runDir, { recursive: true, mode: 0o700 });
  removeStaleSockets(runDir);
  const socket = path.join(runDir, `podman-${process.pid}.sock`);
  fs.rmSync(socket, { force: true });
  const logFile = path.join(runDir, "podman-service.log");
  const stderr = fs.openSync(logFile, "a", 0o600);
  log.info({ socket, logFile }, "no Docker engine found; starting Podman's Docker-compatible API service");
  // runc: Podman's default (crun) fails on hybrid cgroup hosts.
  const args = ["--runtime", "runc", "--cgroup-manager", "cgroupfs", "system", "service", "--time=0", `unix://${socket}`];
  // parent-death.pl asks for the parent-death signal, checks that its parent is still this process (had we died
  // before the request, no signal would come) and becomes podman. Arguments are passed as such, never as shell text.
  const child = spawn("perl", [PARENT_DEATH, "TERM", String(process.pid), "podman", ...args], {
    stdio: ["ignore", "ignore", stderr],
    detached: true,
    // Podman's conmon writes a file named "oom" into its working directory when a container is killed for
    // its memory: in our run dir, not wherever the runner was started (an empty "oom" appeared in checkouts).
    cwd: runDir,
  });
  fs.closeSync(stderr);
  let ended: string | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      ended = `exited (${signal ?? code})`;
      resolve();
    });
    child.once("error", (err) => {
      ended = `could not be started: ${err.message}`;
      resolve();
    });
  });
  const stop = async () => {
    if (ended) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  // The socket file appears before the service accepts on it: ready is when it answers.
  const docker = new Docker({ socketPath: socket });
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (
      await docker.ping().then(
        () => true,
        () => false,
      )
    )
      break;
    if (ended || Date.now() > deadline) {
      await stop();
      throw new Error(`podman system service did not start (${ended ?? `no answer in ${START_TIMEOUT_MS / 1000} s`}); its log: ${logFile}: ${tail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { socket, stop };
}

/** Sockets of runners that are gone (podman-PID.sock with no process PID): a crash leaves them. */
function removeStaleSockets(runDir: string) {
  for (const name of fs.readdirSync(runDir)) {
    const pid = Number(/^podman-(\d+)\.sock$/.exec(name)?.[1]);
    if (pid && !alive(pid)) fs.rmSync(path.join(runDir, name), { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-5).join(" | ");
  } catch {
    return "(none)";
  }
}
