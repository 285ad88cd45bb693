import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  SandboxInfrastructureError,
  type KillReason,
  type SandboxDriver,
  type SandboxHandle,
  type SandboxLimits,
  type SandboxOutcome,
  type SandboxRun,
  type SandboxStreams,
} from "../driver";
import { writeInputDir } from "../input-dir";
import { RunClock } from "../run-clock";
import { DEFAULT_DEADLINE_GRACE_MS, DEFAULT_SWEEP_INTERVAL_MS, sandboxDeadline, sandboxOwner, Sweeper, warmLeaseMs } from "../deadline";
import { SANDBOX_PTYS, SANDBOX_UID } from "../oci/bundle";
import { killCgroup } from "../oci/cgroup-kill";
import { isCgroupV2, readCgroupStats, readCpuTimeMs, resetMemoryPeak } from "../oci/cgroup-stats";
import { writeWarmSettings } from "../oci/container";
import { Launcher, type LaunchedProcess } from "../oci/launcher";
import { createRunCgroup, removeCgroupTree } from "../oci/run-cgroup";
import { blocksInUse, endExpiredRuns, runCgroupName, RUNS_TOP, setDeadline } from "../oci/run-registry";
import { DEFAULT_UID_BASE, DEFAULT_UID_RANGES, UidRangeAllocator, type UidRange } from "../oci/uid-ranges";
import { bwrapArgs, procCovers, runRlimits } from "./args";
import { compileSeccomp } from "./seccomp-bpf";
import { StageTimer } from "./stages";
import { WarmPool } from "./warm-pool";

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
  /**
   * Sandboxes started ahead of demand for each recently used set of limits
   * (0: none), as the oci driver's warm containers (SAM_OCI_WARM_CONTAINERS):
   * each still serves exactly one run.
   */
  warmSandboxes?: number;
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
  inputDir: string;
  cgroupPath: string;
  range: UidRange;
  proc: LaunchedProcess;
  closed: Promise<number | null>;
  exited: boolean;
  killing?: Promise<void>;
  /** Where output goes; null until the sandbox has its run. */
  sink: SandboxStreams | null;
  /** Started ahead of demand: resolves once its launcher (sam-run) waits for the go line. */
  waiting: Promise<void> | null;
}

const KILL_WAIT_MS = 5_000;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
/** What bwrap or the launcher print when they could not make the sandbox (before any program ran). */
const SETUP_FAILURE = /^(bwrap|sam-launcher): /;
/** What sam-run prints, alone on the first line of stderr, while it waits for the go (see sam-run). */
const WAITING_LINE = "sam-run: waiting\n";
/** How long a run waits for a warm sandbox's launcher to be ready (a loaded machine can take seconds). */
const GO_TIMEOUT_MS = 60_000;

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
  /** Set when close() begins: no more sandboxes are started ahead of demand. */
  private closing = false;
  private readonly warm: WarmPool<Sandbox>;
  /** Warm sandboxes waiting for a run: their lease is renewed at each sweep. */
  private readonly waiting = new Set<Sandbox>();
  private active = 0;
  /** Warm sandboxes being started (until their launcher waits): with the runs, bounded by the cores (see refill). */
  private startingWarm = 0;
  private readonly cores = os.availableParallelism();

  constructor(private readonly opts: BwrapDriverOptions) {
    this.uidRanges = opts.uidRanges ?? new UidRangeAllocator(DEFAULT_UID_BASE, DEFAULT_UID_RANGES, undefined, () => blocksInUse());
    this.graceMs = opts.deadlineGraceMs ?? DEFAULT_DEADLINE_GRACE_MS;
    this.runsDir = path.join(opts.runsRoot ?? "/run/sam-bwrap", sandboxOwner(opts.workDir));
    this.seccompFile = path.join(opts.workDir, "seccomp.bpf");
    this.cgroupBase = `${RUNS_TOP}/${sandboxOwner(opts.workDir)}`;
    const sweepIntervalMs = opts.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    this.warm = new WarmPool<Sandbox>(
      opts.warmSandboxes ?? 0,
      (limits) => this.startWarm(limits, sweepIntervalMs),
      (sandbox) => !sandbox.exited,
      (sandbox) => void this.destroy(sandbox),
    );
    this.sweeper = new Sweeper(
      sweepIntervalMs,
      async () => {
        const lease = Date.now() + warmLeaseMs(sweepIntervalMs);
        for (const sandbox of this.waiting) {
          try {
            setDeadline(sandbox.cgroupPath, lease);
          } catch {
            /* gone meanwhile */
          }
        }
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
    let sandbox = await this.warm.take(spec.limits);
    const warm = sandbox !== undefined;
    if (sandbox) {
      try {
        this.waiting.delete(sandbox);
        setDeadline(sandbox.cgroupPath, sandboxDeadline(spec.limits, this.graceMs));
        writeInputDir(sandbox.inputDir, spec);
        writeWarmSettings(sandbox.inputDir, spec.env, spec.args, Math.max(1, Math.ceil(spec.limits.cpuTimeMs / 1000)));
      } catch (err) {
        void this.destroy(sandbox);
        throw new SandboxInfrastructureError(`could not hand the run to a warm sandbox: ${(err as Error).message}`, { cause: err });
      }
    } else {
      sandbox = await this.launch(spec.limits, spec.env, spec.args, (inputDir) => writeInputDir(inputDir, spec), false, stages);
    }
    this.active++;
    this.warm.remember(spec.limits);
    const handle = this.supervise(sandbox, spec, streams, stages, warm);
    void handle.done
      .finally(() => {
        this.active--;
        this.refill();
      })
      .catch(() => undefined);
    return handle;
  }

  /**
   * Tops the pools up while a core is free for it, as the oci driver does (see
   * its refill): while runs plus sandboxes being started number fewer than the
   * cores, so back-to-back runs find a sandbox started, and at or above one run
   * per core nothing starts ahead of demand. Called when a run ends and when a
   * warm sandbox is ready.
   */
  private refill(): void {
    this.warm.refill(() => !this.closing && this.active + this.startingWarm < this.cores);
  }

  /** A sandbox that waits for a run (sam-run's SAM_WAIT_FOR_GO): the run's files and settings come later. */
  private async startWarm(limits: SandboxLimits, sweepIntervalMs: number): Promise<Sandbox> {
    const prepare = (inputDir: string) => fs.mkdirSync(path.join(inputDir, "files"), { mode: 0o755 });
    this.startingWarm++;
    let counted = true;
    // Counted until its launcher waits; one that failed is not replaced at once (it would fail again): the next run end does.
    const started = (ok: boolean) => {
      if (!counted) return;
      counted = false;
      this.startingWarm--;
      if (ok) this.refill();
    };
    let sandbox: Sandbox;
    try {
      sandbox = await this.launch(limits, { SAM_WAIT_FOR_GO: "1" }, [], prepare, true, new StageTimer("prepare"), sweepIntervalMs);
    } catch (err) {
      started(false);
      throw err;
    }
    void (sandbox.waiting ?? Promise.resolve()).then(
      () => started(true),
      () => started(false),
    );
    this.waiting.add(sandbox);
    // One that dies while it waits is cleaned up now (the pool skips it).
    void sandbox.closed.then(() => {
      if (this.waiting.delete(sandbox)) void this.destroy(sandbox);
    });
    return sandbox;
  }

  /** The run's dir, files, uid block and cgroup, then bwrap through the launcher. */
  private async launch(
    limits: SandboxLimits,
    env: Record<string, string>,
    args: string[],
    prepare: (inputDir: string) => void,
    warm: boolean,
    stages: StageTimer,
    sweepIntervalMs = 0,
  ): Promise<Sandbox> {
    const runId = randomBytes(8).toString("hex");
    const dir = path.join(this.runsDir, runId);
    const inputDir = path.join(dir, "in");
    let range: UidRange | undefined;
    let cgroupPath: string | undefined;
    try {
      range = await this.uidRanges.allocate();
      // Any runner may end it once past this (see ../deadline.ts).
      // A warm sandbox has no run yet: it is held on a lease the sweeps renew.
      const deadline = warm ? Date.now() + warmLeaseMs(sweepIntervalMs) : sandboxDeadline(limits, this.graceMs);
      cgroupPath = `${this.cgroupBase}/${runCgroupName(range.block, deadline, runId)}`;
      fs.mkdirSync(dir, { mode: 0o711 });
      fs.mkdirSync(inputDir, { mode: 0o755 });
      fs.mkdirSync(path.join(dir, "pts"), { mode: 0o755 });
      prepare(inputDir);
      createRunCgroup(cgroupPath, { memoryBytes: limits.memoryMb * 1024 * 1024, processes: limits.processes, cpuCores: this.opts.cpuCores ?? 1 });
      // cgroup v1: a freezer of its own, so a kill stops every process before it signals them (cgroup-kill.ts).
      if (!isCgroupV2() && fs.existsSync("/sys/fs/cgroup/freezer")) fs.mkdirSync(path.join("/sys/fs/cgroup/freezer", cgroupPath), { recursive: true });
      const argv = bwrapArgs(this.opts.binary ?? "bwrap", { args, env, limits, ptsDir: path.join(dir, "pts") }, this.covers);
      stages.next("start");
      const proc = await this.launcher.jail(dir, argv, {
        cgroup: cgroupPath,
        id: range.hostId + SANDBOX_UID,
        rlimits: runRlimits(limits),
        files: [this.seccompFile, this.opts.rootfs, inputDir],
        ptys: SANDBOX_PTYS,
      });
      const sandbox: Sandbox = { dir, inputDir, cgroupPath, range, proc, exited: false, closed: undefined as never, sink: null, waiting: null };
      sandbox.closed = proc.closed.then((status) => {
        sandbox.exited = true;
        return status;
      });
      pipeOutput(sandbox, warm);
      return sandbox;
    } catch (err) {
      this.cleanUp(dir, cgroupPath, range);
      throw new SandboxInfrastructureError(`could not start the sandbox: ${(err as Error).message}`, { cause: err });
    }
  }

  private supervise(sandbox: Sandbox, spec: SandboxRun, streams: SandboxStreams, stages: StageTimer, warm: boolean): SandboxHandle {
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
    sandbox.sink = {
      stdout: (c) => sink.stdout(c),
      stderr: (c) => {
        if (head.length < 256) head += c.toString("latin1");
        sink.stderr(c);
        if (clock.programStarted) stages.next("program");
      },
    };
    const interactive = spec.interactive ?? false;
    const pipe = sandbox.proc.stdin;
    // A cold, non-interactive run reads its stdin from /sam/in/stdin: the pipe has nothing to say.
    if (!warm && !interactive) pipe.end();
    let wentAhead!: () => void;
    const goneAhead = new Promise<void>((resolve) => (wentAhead = resolve));
    const go = async () => {
      stages.next("start");
      // Bounded from here: a sandbox that never gets to the program is killed (see run-clock.ts).
      clock.containerStart();
      if (warm) {
        // What the waiting launcher used is not the program's.
        resetMemoryPeak(sandbox.cgroupPath);
        await signalGo(sandbox, interactive);
      }
      wentAhead();
    };
    // Input waits for the go line (a warm launcher reads its first line as the go), then keeps its order.
    let input = goneAhead;
    const stdin = {
      write: (data: string | Uint8Array) => void (input = input.then(() => void pipe.write(data))),
      end: () => void (input = input.then(() => void pipe.end())),
    };
    if (interactive && spec.stdin) stdin.write(spec.stdin);

    const done = (async (): Promise<SandboxOutcome> => {
      try {
        await go();
      } catch (err) {
        clock.stop();
        await this.destroy(sandbox);
        throw new SandboxInfrastructureError(`the sandbox did not start the run: ${(err as Error).message}`, { cause: err });
      }
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
    this.waiting.delete(sandbox);
    if (!sandbox.exited) {
      // A waiting launcher also ends when its stdin does.
      sandbox.proc.stdin.end();
      await this.killUntilGone(sandbox);
    }
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
    this.closing = true;
    await Promise.all((await this.warm.drain()).map((sandbox) => this.destroy(sandbox)));
    this.closed = true;
    await this.sweeper.stop();
    this.launcher.close();
    await removeCgroupTree(this.cgroupBase).catch(() => undefined);
    try {
      fs.rmdirSync(this.runsDir); // only when empty: a run still ending removes its own dir
    } catch {
      /* a run still ending */
    }
  }
}

/** bwrap (the run's uid) must pass through every directory up to the image's root: say so at start, not at each run. */
function assertPassable(dir: string): void {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((fs.statSync(d).mode & 0o001) === 0) throw new Error(`${d} must be searchable by every user (chmod o+x) for bwrap to mount the image under it`);
    if (d === path.dirname(d)) return;
  }
}

/**
 * Sends the sandbox's output to its sink once it has a run. A warm one's
 * launcher first says it waits (a line of its own on stderr), which is not
 * the run's: it marks the sandbox ready for the go instead.
 */
function pipeOutput(sandbox: Sandbox, warm: boolean): void {
  sandbox.proc.stdout.on("data", (c: Buffer) => sandbox.sink?.stdout(c));
  let head: string | null = warm ? "" : null;
  let markWaiting = () => {};
  if (warm) {
    sandbox.waiting = new Promise<void>((resolve, reject) => {
      markWaiting = resolve;
      void sandbox.closed.then(() => reject(new Error("the sandbox ended before its launcher was ready")));
    });
    sandbox.waiting.catch(() => undefined);
  }
  sandbox.proc.stderr.on("data", (c: Buffer) => {
    if (head === null) return sandbox.sink?.stderr(c);
    head += c.toString("latin1");
    if (head.length < WAITING_LINE.length && WAITING_LINE.startsWith(head)) return;
    const rest = head.startsWith(WAITING_LINE) ? head.slice(WAITING_LINE.length) : head;
    if (rest !== head) markWaiting();
    head = null;
    if (rest) sandbox.sink?.stderr(Buffer.from(rest, "latin1"));
  });
}

/** Tells a warm sandbox's launcher to go, once it waits; interactive: the pipe stays open for the program's input. */
async function signalGo(sandbox: Sandbox, interactive: boolean): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the warm sandbox's launcher never became ready")), GO_TIMEOUT_MS);
  });
  try {
    await Promise.race([sandbox.waiting, timeout]);
  } finally {
    clearTimeout(timer);
  }
  if (interactive) sandbox.proc.stdin.write("go\n");
  else sandbox.proc.stdin.end("go\n");
}
