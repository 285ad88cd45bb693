import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { Logger } from "pino";
import type { RunnerView } from "./autoscale/decide";
import { startProcess, stopProcess, type ManagedProcess } from "./child";
import type { ServiceSet } from "./services";

/** What runner/pool-member.ts reports over IPC. */
interface ReportedState {
  active: number;
  idleMs: number;
  draining: boolean;
}

interface Member {
  id: string;
  slot: number;
  proc: ManagedProcess;
  healthUrl: string;
  ready: boolean;
  draining: boolean;
  state: ReportedState;
}

const FIRST = "runner-1";

/**
 * The runner processes of one machine. The first is the ServiceSet's runner
 * (started with web and collab, restarted if it crashes, never drained); the
 * autoscaler adds more here (slots 2, 3, ...) and drains them again.
 *
 * Runners of one machine must not share run state: the oci driver removes
 * every container it finds in its work dir when it starts. So each added
 * runner gets a data dir of its own (<SAM_DATA_DIR>/runners/<slot>), the same
 * sandbox images (SAM_SANDBOX_DIR, unpacked once by the first runner) and a
 * free health port. Slots are reused, so a runner that crashed finds and
 * removes what it left behind when its slot is started again.
 */
export class RunnerPool {
  private readonly members = new Map<string, Member>();
  private firstState: ReportedState = { active: 0, idleMs: 0, draining: false };
  private stopping = false;

  constructor(
    private readonly root: string,
    private readonly log: Logger,
    private readonly services: ServiceSet,
    private readonly dataDir: string,
    private readonly sandboxDir: string,
    private readonly host: string,
  ) {
    services.onMessage = (name, msg) => {
      if (name === "runner" && isState(msg)) this.firstState = pick(msg);
    };
  }

  /** Every runner the autoscaler counts: the first one (pinned) and the ones added. */
  views(): RunnerView[] {
    const first: RunnerView = { id: FIRST, pinned: true, ready: this.services.isUp("runner"), ...this.firstState };
    const added = [...this.members.values()].map((m) => ({
      id: m.id,
      ready: m.ready,
      active: m.state.active,
      idleMs: m.state.idleMs,
      draining: m.draining || m.state.draining,
    }));
    return [first, ...added];
  }

  /** Process ids of the added runners (for tests and logs). */
  pids(): number[] {
    return [...this.members.values()].flatMap((m) => (m.proc.child.pid ? [m.proc.child.pid] : []));
  }

  async add(count: number): Promise<void> {
    for (let i = 0; i < count && !this.stopping; i++) await this.startOne();
  }

  private async startOne(): Promise<void> {
    const used = new Set([...this.members.values()].map((m) => m.slot));
    let slot = 2;
    while (used.has(slot)) slot++;
    const id = `runner-${slot}`;
    const dataDir = path.join(this.dataDir, "runners", String(slot));
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const port = await freePort(this.host);
    const local = this.host === "0.0.0.0" || this.host === "::" ? "127.0.0.1" : this.host;
    const proc = startProcess(id, process.execPath, ["--import", "tsx", "runner/main.ts"], {
      cwd: this.root,
      env: { ...this.services.runnerEnv(), SAM_DATA_DIR: dataDir, SAM_SANDBOX_DIR: this.sandboxDir, RUNNER_PORT: String(port) },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const member: Member = {
      id,
      slot,
      proc,
      healthUrl: `http://${local}:${port}/health`,
      ready: false,
      draining: false,
      state: { active: 0, idleMs: 0, draining: false },
    };
    this.members.set(id, member);
    proc.child.on("message", (msg) => {
      if (isState(msg)) member.state = pick(msg);
    });
    void proc.exited.then((code) => {
      this.members.delete(id);
      if (this.stopping) return;
      if (member.draining) this.log.info({ runner: id, code }, `${id} drained and stopped`);
      else this.log.error({ runner: id, code }, `${id} exited unexpectedly (its log lines above say why); the autoscaler starts another if the queue needs it`);
    });
    this.log.info({ runner: id, pid: proc.child.pid, port, dataDir }, `starting ${id}`);
    void this.watchReady(member);
  }

  private async watchReady(member: Member): Promise<void> {
    while (!this.stopping && this.members.get(member.id) === member && !member.ready) {
      member.ready = await fetch(member.healthUrl, { signal: AbortSignal.timeout(5000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (member.ready) this.log.info({ runner: member.id }, `${member.id} is ready`);
      else await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Asks runners to finish their runs and stop; each takes no new run from now on and exits by itself. */
  drain(ids: string[]): void {
    for (const id of ids) {
      const member = this.members.get(id);
      if (!member || member.draining) continue;
      member.draining = true;
      if (member.proc.child.connected) member.proc.child.send({ type: "sam:drain" });
      else void stopProcess(member.proc, "SIGTERM", 15_000);
    }
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.members.values()].map((m) => stopProcess(m.proc, "SIGTERM", 15_000)));
  }
}

function isState(msg: unknown): msg is ReportedState {
  return typeof msg === "object" && msg !== null && (msg as { type?: string }).type === "sam:runner-state";
}

function pick(msg: ReportedState): ReportedState {
  return { active: Number(msg.active) || 0, idleMs: Number(msg.idleMs) || 0, draining: msg.draining === true };
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
