import net from "node:net";
import type { Logger } from "pino";
import { startProcess, stopProcess, type ManagedProcess } from "./child";

/** The three service processes of one machine, each a separate Node.js process (as on many machines). */
const SERVICE_ENTRIES = {
  web: "web/server.ts",
  collab: "collab/main.ts",
  runner: "runner/main.ts",
} as const;
export type ServiceName = keyof typeof SERVICE_ENTRIES;
export const SERVICE_NAMES = Object.keys(SERVICE_ENTRIES) as ServiceName[];

// Only these sign or verify tokens; the runner, which runs untrusted code, never gets SAM_SECRET.
const NEEDS_SECRET: ReadonlySet<ServiceName> = new Set(["web", "collab"]);

// A service that crashes is restarted, unless it crashed this often within the window.
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

/** How the supervisor reaches one service: its port, the variable that sets it, and where it answers health checks. */
export interface ServiceEndpoint {
  port: number;
  portVariable: string;
  healthUrl: string;
}

/** Thrown when a service cannot start: `reason` is what the host should read. */
export class StartFailure extends Error {
  constructor(
    readonly service: ServiceName,
    readonly reason: string,
  ) {
    super(`${service} failed to start: ${reason}`);
  }
}

interface Running {
  proc: ManagedProcess;
  /** What the process said before it exited (see lib/services/service.ts fail()). */
  failure?: string;
}

export class ServiceSet {
  private readonly running = new Map<ServiceName, Running>();
  private readonly crashes = new Map<ServiceName, number[]>();
  private readonly healthy = new Set<ServiceName>();
  private stopping = false;
  onGiveUp: (name: ServiceName) => void = () => undefined;

  constructor(
    private readonly root: string,
    private readonly log: Logger,
    private readonly env: NodeJS.ProcessEnv,
    private readonly secret: string,
    readonly endpoints: Record<ServiceName, ServiceEndpoint>,
    private readonly host: string,
  ) {}

  /** Refuses to start at all when a port is taken, naming the variable to change. */
  async checkPorts(): Promise<void> {
    for (const name of SERVICE_NAMES) {
      const { port, portVariable } = this.endpoints[name];
      const problem = await portProblem(this.host, port);
      if (problem) throw new StartFailure(name, `${portVariable}=${port} on ${this.host} ${problem}; set ${portVariable} to a free port`);
    }
  }

  startAll(): void {
    for (const name of SERVICE_NAMES) this.start(name);
  }

  private envFor(name: ServiceName): NodeJS.ProcessEnv {
    const env = { ...this.env };
    if (NEEDS_SECRET.has(name)) env.SAM_SECRET = this.secret;
    else delete env.SAM_SECRET;
    return env;
  }

  private start(name: ServiceName): void {
    const proc = startProcess(name, process.execPath, ["--import", "tsx", SERVICE_ENTRIES[name]], {
      cwd: this.root,
      env: this.envFor(name),
      // The IPC channel closes if the supervisor dies, and the service then stops itself;
      // a service that cannot start says why over it.
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const entry: Running = { proc };
    proc.child.on("message", (msg: { type?: string; reason?: string }) => {
      if (msg?.type === "sam:failed" && typeof msg.reason === "string") entry.failure = msg.reason;
    });
    this.running.set(name, entry);
    void proc.exited.then((code) => this.onExit(name, entry, code));
  }

  private onExit(name: ServiceName, entry: Running, code: number | string): void {
    if (this.stopping || this.running.get(name) !== entry) return;
    // Never healthy yet: start-up failed; waitUntilHealthy() reports it and nothing is restarted.
    if (!this.healthy.has(name)) return;
    const now = Date.now();
    const recent = (this.crashes.get(name) ?? []).filter((t) => now - t < RESTART_WINDOW_MS);
    recent.push(now);
    this.crashes.set(name, recent);
    if (recent.length > MAX_RESTARTS) {
      this.log.fatal({ service: name, code, reason: entry.failure }, `${name} exited ${recent.length} times within a minute; giving up`);
      this.onGiveUp(name);
      return;
    }
    this.log.error({ service: name, code, reason: entry.failure }, `${name} exited unexpectedly; restarting it`);
    setTimeout(() => !this.stopping && this.start(name), 1000 * recent.length);
  }

  /**
   * Resolves once `name` answers its health check; rejects with the reason
   * when its process exits first, or when it is not healthy within `timeoutMs`
   * (no limit when undefined: the runner may build its image for minutes).
   */
  async waitUntilHealthy(name: ServiceName, timeoutMs?: number): Promise<void> {
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
    const { healthUrl } = this.endpoints[name];
    for (;;) {
      const entry = this.running.get(name)!;
      if (entry.proc.child.exitCode !== null || entry.proc.child.signalCode !== null) {
        const code = await entry.proc.exited;
        throw new StartFailure(name, entry.failure ?? `its process exited (${code}) before it was ready; its log lines above say why`);
      }
      const ok = await fetch(healthUrl, { signal: AbortSignal.timeout(5000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) {
        this.healthy.add(name);
        return;
      }
      if (Date.now() > deadline) throw new StartFailure(name, `not healthy after ${Math.round(timeoutMs! / 1000)} s at ${healthUrl}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.running.values()].map((r) => stopProcess(r.proc, "SIGTERM", 15_000)));
  }
}

/** Why `port` cannot be listened on, or undefined when it is free. */
function portProblem(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", (err: NodeJS.ErrnoException) =>
      resolve(err.code === "EADDRINUSE" ? "is already in use by another program (another SAM instance?)" : `cannot be used (${err.code ?? err.message})`),
    );
    probe.listen(port, host, () => probe.close(() => resolve(undefined)));
  });
}
