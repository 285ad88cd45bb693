import type { Logger } from "pino";
import { startProcess, stopProcess, waitFor, type ManagedProcess } from "./child";

/** The three service processes of one machine, each a separate Node.js process (as on many machines). */
const SERVICE_ENTRIES = {
  web: "web/server.ts",
  collab: "collab/main.ts",
  runner: "runner/main.ts",
} as const;
type Name = keyof typeof SERVICE_ENTRIES;

// A service that crashes is restarted, unless it crashed this often within the window.
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

export class ServiceSet {
  private readonly running = new Map<Name, ManagedProcess>();
  private readonly crashes = new Map<Name, number[]>();
  private stopping = false;
  onGiveUp: (name: Name) => void = () => undefined;

  constructor(
    private readonly root: string,
    private readonly log: Logger,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  startAll(): void {
    for (const name of Object.keys(SERVICE_ENTRIES) as Name[]) this.start(name);
  }

  private start(name: Name): void {
    const proc = startProcess(name, process.execPath, ["--import", "tsx", SERVICE_ENTRIES[name]], {
      cwd: this.root,
      env: this.env,
      // The IPC channel closes if the supervisor dies, and the service then stops itself.
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.running.set(name, proc);
    void proc.exited.then((code) => this.onExit(name, proc, code));
  }

  private onExit(name: Name, proc: ManagedProcess, code: number | string): void {
    if (this.stopping || this.running.get(name) !== proc) return;
    const now = Date.now();
    const recent = (this.crashes.get(name) ?? []).filter((t) => now - t < RESTART_WINDOW_MS);
    recent.push(now);
    this.crashes.set(name, recent);
    if (recent.length > MAX_RESTARTS) {
      this.log.fatal({ service: name, code }, `${name} exited ${recent.length} times within a minute; giving up`);
      this.onGiveUp(name);
      return;
    }
    this.log.error({ service: name, code }, `${name} exited unexpectedly; restarting it`);
    setTimeout(() => !this.stopping && this.start(name), 1000 * recent.length);
  }

  async waitUntilHealthy(url: string): Promise<void> {
    await waitFor("web service", async () => (await fetch(url)).ok, 120_000);
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.running.values()].map((p) => stopProcess(p, "SIGTERM", 15_000)));
  }
}
