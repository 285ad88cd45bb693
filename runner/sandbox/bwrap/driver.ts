import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  SandboxInfrastructureError,
  type KillReason,
  type SandboxDriver,
  type SandboxHandle,
  type SandboxOutcome,
  type SandboxRun,
  type SandboxStreams,
} from "../driver";
import { writeInputDir } from "../input-dir";
import { RunClock } from "../run-clock";
import { DEFAULT_DEADLINE_GRACE_MS, DEFAULT_SWEEP_INTERVAL_MS, sandboxDeadline, sandboxOwner, Sweeper } from "../deadline";
import { SANDBOX_UID } from "../oci/bundle";
import { killCgroup } from "../oci/cgroup-kill";
import { isCgroupV2, readCgroupStats, readCpuTimeMs } from "../oci/cgroup-stats";
import { Launcher, type LaunchedProcess } from "../oci/launcher";
import { createRunCgroup, removeCgroupTree } from "../oci/run-cgroup";
import { blocksInUse, endExpiredRuns, runCgroupName, RUNS_TOP } from "../oci/run-registry";
import { DEFAULT_UID_BASE, DEFAULT_UID_RANGES, UidRangeAllocator, type UidRange } from "../oci/uid-ranges";
import { bwrapArgs, procCovers, runRlimits } from "./args";
import { compileSeccomp } from "./seccomp-bpf";
import { StageTimer } from "./stages";

export interface BwrapDriverOptions {
  /** The unpacked root filesystem of the runtime image (the oci driver's), shared read-only by every run. */
  rootfs: string;
  /** Where the compiled seccomp filter lives (under SAM_DATA_DIR); names this driver's cgroups and run dirs. */
  workDir: string;
  /**
   * Where each run's dir (its files, mounted at /sam/in, and its FIFOs) is
   * made: a root-owned directory every host uid may pass through but not
   * list, since bwrap, running as the run's uid, must reach the files to
   * mount them. Default /run/sam-bwrap (a tmpfs on most hosts).
   */
  runsRoot?: string;
  /** The bwrap binary. */
  binary?: string;
  /** CPU share of one run, in cores. */
  cpuCores?: number;
  /** Hands each live sandbox its own block of host uids (shared with the oci driver's register). */
  uidRanges?: UidRangeAllocator;
  /** Beyond a run's own bounds, before any runner on the machine may end it (SAM_WATCHDOG_GRACE_MS). */
  deadlineGraceMs?: number;
  /** How often this driver ends the sandboxes of any runner on the machine that are past their deadline. */
  sweepIntervalMs?: number;
  log?: (message: string) => void;
}

/** One run's sandbox: the bwrap process the launcher started confined, and what it holds. */
interface Sandbox {
  dir: string;
  cgroupPath: string;
  range: UidRange;
  proc: LaunchedProcess;
  closed: Promise<number | null>;
  exited: boolean;
  killing?: Promise<void>;
}

const KILL_WAIT_MS = 5_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
/** What bwrap or the launcher print when they could not make the sandbox (before any program ran). */
const SETUP_FAILURE = /^(bwrap|sam-launcher): /;

/**
 * The namespaces-only driver: each run is one unprivileged bubblewrap process
 * (Debian's bubblewrap) that the launcher starts in the run's cgroup, as the
 * run's own host uid. No OCI runtime, no bundle, no container state: the
 * isolation of the oci driver at about the cost of making the namespaces (see
 * args.ts for what the sandbox is, and the notes for how each property is kept).
 */
export class BwrapDriver implements SandboxDriver {
  readonly name = "bwrap" as const;
  private readonly launcher = new Launcher();
  private readonly cgroupBase: string;
  private readonly seccompFile: string;
  private readonly runsDir: string;
  private readonly covers = procCovers();
  private readonly uidRanges: UidRangeAllocator;
  private readonly graceMs: number;
  private readonly sweeper: Sweeper;
  private readonly ready: Promise<void>;
  private closed = false;

  constructor(private readonly opts: BwrapDriverOptions) {
    this.uidRanges = opts.uidRanges ?? new UidRangeAllocator(DEFAULT_UID_BASE, DEFAULT_UID_RANGES, undefined, () => blocksInUse());
    this.graceMs = opts.deadlineGraceMs ?? DEFAULT_DEADLINE_GRACE_MS;
    this.runsDir = path.join(opts.runsRoot ?? "/run/sam-bwrap", sandboxOwner(opts.workDir));
    this.seccompFile = path.join(opts.workDir, "seccomp.bpf");
    this.cgroupBase = `${RUNS_TOP}/${sandboxOwner(opts.workDir)}`;
    this.sweeper = new Sweeper(
      opts.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS,
      async () => {
        const ended = await endExpiredRuns();
        if (ended.length) opts.log?.(`ended ${ended.length} sandbox(es) past their deadline: ${ended.map((r) => r.cgroupPath).join(", ")}`);
      },
      (err) => opts.log?.(`the sweep for sandboxes past their deadline failed: ${err.message}`),
    );
    this.ready = this.prepare();
    this.ready.catch(() => undefined).finally(() => this.closed || this.sweeper.start());
  }

  /** Removes what a killed runner left on this work dir, and compiles the seccomp filter. */
  private async prepare(): Promise<void> {
    await removeCgroupTree(this.cgroupBase);
    fs.rmSync(this.runsDir, { recursive: true, force: true });
    fs.mkdirSync(this.runsDir, { recursive: true, mode: 0o711 });
    for (const dir of [this.runsDir, path.dirname(this.runsDir)]) fs.chmodSync(dir, 0o711);
    assertPassable(this.opts.rootfs);
    fs.mkdirSync(this.opts.workDir, { recursive: true, mode: 0o700 });
    compileSeccomp(this.seccompFile);
  }

  async start(spec: SandboxRun, streams: SandboxStreams): Promise<SandboxHandle> {
    const stages = new StageTimer("prepare");
    try {
      await this.ready;
    } catch (err) {
      throw new SandboxInfrastructureError(`the bwrap driver is not usable: ${(err as Error).message}`, { cause: err });
    }
    const sandbox = await this.launch(spec, stages);
    return this.supervise(sandbox, spec, streams, stages);
  }

  /** The run's dir, files, uid block and cgroup, then bwrap through the launcher. */
  private async launch(spec: SandboxRun, stages: StageTimer): Promise<Sandbox> {
    const runId = randomBytes(8).toString("hex");
    const dir = path.join(this.runsDir, runId);
    const inputDir = path.join(dir, "in");
    let range: UidRange | undefined;
    let cgroupPath: string | undefined;
    try {
      range = await this.uidRanges.allocate();
      // Any runner may end it once past this (see ../deadline.ts).
      cgroupPath = `${this.cgroupBase}/${runCgroupName(range.block, sandboxDeadline(spec.limits, this.graceMs), runId)}`;
      fs.mkdirSync(dir, { mode: 0o711 });
      fs.mkdirSync(inputDir, { mode: 0o755 });
      writeInputDir(inputDir, spec);
      createRunCgroup(cgroupPath, { memoryBytes: spec.limits.memoryMb * 1024 * 1024, processes: spec.limits.processes, cpuCores: this.opts.cpuCores ?? 1 });
      // cgroup v1: a freezer of its own, so a kill stops every process before it signals them (cgroup-kill.ts).
      if (!isCgroupV2() && fs.existsSync("/sys/fs/cgroup/freezer")) fs.mkdirSync(path.join("/sys/fs/cgroup/freezer", cgroupPath), { recursive: true });
      const argv = bwrapArgs(this.opts.binary ?? "bwrap", spec, this.covers);
      stages.next("start");
      const proc = await this.launcher.jail(dir, argv, {
        cgroup: cgroupPath,
        id: range.hostId + SANDBOX_UID,
        rlimits: runRlimits(spec.limits),
        files: [this.seccompFile, this.opts.rootfs, inputDir],
      });
      const sandbox: Sandbox = { dir, cgroupPath, range, proc, exited: false, closed: undefined as never };
      sandbox.closed = proc.closed.then((status) => {
        sandbox.exited = true;
        return status;
      });
      return sandbox;
    } catch (err) {
      this.cleanUp(dir, cgroupPath, range);
      throw new SandboxInfrastructureError(`could not start the sandbox: ${(err as Error).message}`, { cause: err });
    }
  }

  private supervise(sandbox: Sandbox, spec: SandboxRun, streams: SandboxStreams, stages: StageTimer): SandboxHandle {
    let killedFor: KillReason | null = null;
    const kill = async (reason: KillReason) => {
      killedFor ??= reason;
      clock.stop();
      await this.killUntilGone(sandbox);
    };
    const clock = new RunClock({
      limits: spec.limits,
      marker: spec.env.SAM_MARKER,
      readCpuMs: () => readCpuTimeMs(sandbox.cgroupPath),
      kill: (reason) => void kill(reason),
    });
    const sink = clock.watch(streams);
    let head = ""; // the start of stderr, to tell bwrap's own failure from the program's
    sandbox.proc.stdout.on("data", (c: Buffer) => sink.stdout(c));
    sandbox.proc.stderr.on("data", (c: Buffer) => {
      if (head.length < 256) head += c.toString("latin1");
      sink.stderr(c);
      if (clock.programStarted) stages.next("program");
    });
    clock.containerStart();
    const interactive = spec.interactive ?? false;
    const pipe = sandbox.proc.stdin;
    // A non-interactive run reads its stdin from /sam/in/stdin: the pipe has nothing to say.
    if (!interactive) pipe.end();
    else if (spec.stdin) pipe.write(spec.stdin);

    const done = (async (): Promise<SandboxOutcome> => {
      const code = await sandbox.closed;
      clock.stop();
      stages.next("collect");
      const stats = readCgroupStats(sandbox.cgroupPath);
      void this.destroy(sandbox);
      if (code === null) throw new SandboxInfrastructureError("the launcher died while the sandbox ran");
      const noMarker = spec.env.SAM_MARKER === undefined || !head.includes(`${spec.env.SAM_MARKER}:`);
      if (killedFor === null && noMarker && SETUP_FAILURE.test(head)) {
        throw new SandboxInfrastructureError(`bwrap could not make the sandbox: ${head.split("\n")[0]}`);
      }
      // tini and bwrap exit 128+N when the program died of signal N.
      const bySignal = code > 128 && code < 160;
      const signalName = bySignal ? (Object.entries(os.constants.signals).find(([, n]) => n === code - 128)?.[0] ?? null) : null;
      return {
        exitCode: bySignal ? null : code,
        signal: signalName,
        wallTimeMs: clock.wallTimeMs(),
        cpuTimeMs: clock.programCpuMs(stats.cpuTimeMs),
        memoryKb: stats.memoryPeakKb,
        // Only the kernel sends SIGKILL unasked when memory runs out (our own kills are in killedFor).
        oomKilled: stats.oomKilled || (stats.memoryLimitHit && signalName === "SIGKILL" && killedFor === null),
        memoryLimitHit: stats.memoryLimitHit,
        processLimitHit: stats.processLimitHit,
        killedFor,
        stages: stages.end(),
      };
    })();
    const stdin = { write: (data: string | Uint8Array) => void pipe.write(data), end: () => void pipe.end() };
    return { done, kill: (reason) => kill(reason), stdin: interactive ? stdin : undefined };
  }

  /**
   * Kills the run's cgroup until bwrap has exited: every process of the
   * sandbox, bwrap itself included, is in it from before bwrap starts. A kill
   * that comes before the launcher's child has joined the cgroup finds nothing
   * yet; the next round finds it. Returns after KILL_WAIT_MS at most, the
   * rounds going on until it is gone or the driver closes.
   */
  private killUntilGone(sandbox: Sandbox): Promise<void> {
    sandbox.killing ??= (async () => {
      for (let round = 0; !sandbox.exited && !this.closed; round++) {
        await killCgroup(sandbox.cgroupPath).catch(() => false);
        await Promise.race([sandbox.closed, sleep(Math.min(20 * 2 ** round, 1000))]);
      }
    })();
    return Promise.race([sandbox.killing, sleep(KILL_WAIT_MS)]);
  }

  private async destroy(sandbox: Sandbox): Promise<void> {
    if (!sandbox.exited) await this.killUntilGone(sandbox);
    await sandbox.closed;
    this.cleanUp(sandbox.dir, sandbox.cgroupPath, sandbox.range);
  }

  /** The run's dir now; its host ids go back only once its cgroup is gone, with every process it held. */
  private cleanUp(dir: string, cgroupPath: string | undefined, range: UidRange | undefined): void {
    fs.rmSync(dir, { recursive: true, force: true });
    if (!cgroupPath) return range?.release();
    void removeCgroupTree(cgroupPath).then(
      () => range?.release(),
      () => undefined,
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.sweeper.stop();
    this.launcher.close();
    await removeCgroupTree(this.cgroupBase).catch(() => undefined);
  }
}

/** bwrap (the run's uid) must pass through every directory up to the image's root: say so at start, not at each run. */
function assertPassable(dir: string): void {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) throw new Error(`${d} must be searchable by every user (chmod o+x) for bwrap to mount the image under it`);
    if (d === path.dirname(d)) return;
  }
}
