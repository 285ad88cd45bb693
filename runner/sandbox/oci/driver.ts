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
import { loadSeccompProfile, type SeccompProfile } from "../seccomp";
import { writeInputDir } from "../input-dir";
import { ociConfig } from "./bundle";
import { RunClock } from "../run-clock";
import { DEFAULT_DEADLINE_GRACE_MS, DEFAULT_SWEEP_INTERVAL_MS, sandboxDeadline, sandboxOwner, Sweeper, warmLeaseMs } from "../deadline";
import { killCgroup } from "./cgroup-kill";
import { readCgroupStats, readCpuTimeMs, resetMemoryPeak } from "./cgroup-stats";
import { signalGo, spawnContainer, writeWarmSettings, type OciContainer } from "./container";
import { createRunCgroup, removeCgroupTree } from "./run-cgroup";
import { blocksInUse, endExpiredRuns, runCgroupName, RUNS_TOP, setDeadline } from "./run-registry";
import { OciRuntimeBinary } from "./runtime-binary";
import { DEFAULT_UID_BASE, DEFAULT_UID_RANGES, UidRangeAllocator, type UidRange } from "./uid-ranges";

export interface OciDriverOptions {
  /** The OCI runtime binary: crun, runc, or gVisor's runsc. */
  runtime: string;
  /** The unpacked root filesystem of the runtime image, shared read-only by every run. */
  rootfs: string;
  /** Where bundles and the runtime's state live (under SAM_DATA_DIR). */
  workDir: string;
  /** CPU share of one run, in cores. */
  cpuCores?: number;
  /**
   * Containers kept started ahead of demand for each recently used set of
   * limits (0: none). Each still serves exactly one run; it only saves the
   * run from waiting while the container is created.
   */
  warmContainers?: number;
  /** Hands each live container its own block of host uids (default: SAM_OCI_UID_BASE's defaults). */
  uidRanges?: UidRangeAllocator;
  /** The AppArmor profile runs are confined with, where the host has AppArmor (see ../apparmor.ts). */
  apparmorProfile?: string;
  /** Beyond a run's own bounds, before any runner on the machine may end its container (SAM_WATCHDOG_GRACE_MS; see ../deadline.ts). */
  deadlineGraceMs?: number;
  /** How often this driver ends the containers of any runner on the machine that are past their deadline (SAM_SANDBOX_SWEEP_MS). */
  sweepIntervalMs?: number;
  /** Where the sweeps report what they ended. */
  log?: (message: string) => void;
}

// Limits that are fixed when a container starts; the rest the runner enforces itself.
const poolKey = (l: SandboxLimits) => `${l.memoryMb}/${l.processes}/${l.cpuTimeMs}/${l.diskMb}`;
const MAX_POOL_KEYS = 6;
/** How long kill() waits for the container to be gone before it returns (the retries go on). */
const KILL_WAIT_MS = 5_000;
// Unref'd: a kill's retries and waits never keep a stopping runner alive.
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Where a run's time went (SandboxOutcome.stages): prepare (cold: host ids,
 * bundle, run cgroup; warm: handing the run to the waiting container), start
 * (cold: the runtime's spawn, warm: the go line, until the launcher's started
 * line: creating the container, copying the files, compiling), program (the
 * started line to the runtime's exit), collect (exit to the outcome).
 */
function runStages(prepareMs: number, goToExitMs: number, programMs: number, collectMs: number): SandboxOutcome["stages"] {
  const program = Math.min(programMs, goToExitMs);
  return [
    { stage: "prepare", ms: prepareMs },
    { stage: "start", ms: goToExitMs - program },
    { stage: "program", ms: program },
    { stage: "collect", ms: collectMs },
  ].map(({ stage, ms }) => ({ stage, ms: Math.max(0, Math.round(ms * 10) / 10) }));
}

interface WarmPool {
  limits: SandboxLimits;
  /** Containers started (or starting) for a run, oldest first; undefined if one failed to start. */
  ready: Array<Promise<OciContainer | undefined>>;
}

/**
 * The daemonless driver: runs each program with an OCI runtime directly on a
 * bundle of its own (config.json + the shared read-only rootfs). Several times
 * faster than going through a container engine, with the same isolation.
 */
export class OciDriver implements SandboxDriver {
  readonly name = "oci" as const;
  private readonly seccomp: SeccompProfile;
  private readonly runtime: OciRuntimeBinary;
  /**
   * This driver's cgroups: one child per run, named for the machine's register (see run-registry.ts).
   * Named after its host and work dir, so a restart finds its leftovers.
   */
  private readonly cgroupBase: string;
  private readonly ready: Promise<void>;
  /** Started containers waiting for a run, by pool key; the map's order is least recently used first. */
  private readonly warm = new Map<string, WarmPool>();
  private closing = false;
  /** Set once close() is done: kill retries stop. */
  private closed = false;
  private active = 0;
  /** Warm containers being created (not yet waiting for a run). */
  private startingWarm = 0;
  /** Runs plus warm starts below which a warm container may start (see refill). */
  private readonly cores = os.availableParallelism();
  private readonly uidRanges: UidRangeAllocator;
  /** The host id block of each live container, by container id; released when it is destroyed. */
  private readonly heldRanges = new Map<string, UidRange>();
  /** Containers started ahead of demand that wait for a run: their lease is renewed at each sweep. */
  private readonly waiting = new Set<OciContainer>();
  private readonly sweeper: Sweeper;
  private readonly graceMs: number;
  private readonly sweepIntervalMs: number;

  constructor(private readonly opts: OciDriverOptions) {
    this.seccomp = loadSeccompProfile();
    this.uidRanges = opts.uidRanges ?? new UidRangeAllocator(DEFAULT_UID_BASE, DEFAULT_UID_RANGES, undefined, () => blocksInUse());
    this.graceMs = opts.deadlineGraceMs ?? DEFAULT_DEADLINE_GRACE_MS;
    this.sweepIntervalMs = opts.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    const stateDir = path.join(opts.workDir, "runtime-state");
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    fs.mkdirSync(path.join(opts.workDir, "bundles"), { recursive: true, mode: 0o700 });
    this.runtime = new OciRuntimeBinary(opts.runtime, stateDir);
    this.cgroupBase = `${RUNS_TOP}/${sandboxOwner(opts.workDir)}`;
    this.sweeper = new Sweeper(
      this.sweepIntervalMs,
      () => this.sweep(),
      (err) => opts.log?.(`the sweep for sandboxes past their deadline failed: ${err.message}`),
    );
    this.ready = this.removeLeftovers();
    this.ready.catch(() => undefined).finally(() => this.closing || this.sweeper.start());
  }

  /**
   * Renews the leases of the containers waiting for a run, then ends every
   * run on the machine past its deadline, this runner's or any other's (see
   * ../deadline.ts).
   */
  private async sweep(): Promise<void> {
    const lease = Date.now() + warmLeaseMs(this.sweepIntervalMs);
    for (const container of this.waiting) {
      try {
        setDeadline(container.cgroupPath, lease);
      } catch {
        /* gone meanwhile */
      }
    }
    const ended = await endExpiredRuns();
    if (ended.length) this.opts.log?.(`ended ${ended.length} sandbox(es) past their deadline: ${ended.map((r) => r.cgroupPath).join(", ")}`);
  }

  /** Containers, cgroups and bundles left by a runner that was killed: nothing of an old run survives a restart. */
  private async removeLeftovers(): Promise<void> {
    for (const id of this.runtime.listIds()) await this.runtime.call(["delete", "--force", id]);
    await removeCgroupTree(this.cgroupBase);
    const bundles = path.join(this.opts.workDir, "bundles");
    for (const name of fs.readdirSync(bundles)) fs.rmSync(path.join(bundles, name), { recursive: true, force: true });
  }

  /** Creates the bundle and the run's cgroup and starts the runtime's `run`; `prepare` fills the input dir first. */
  private async launch(
    limits: SandboxLimits,
    env: Record<string, string>,
    args: string[],
    prepare: (inputDir: string) => void,
    warm = false,
    interactive = false,
  ): Promise<OciContainer> {
    const runId = randomBytes(8).toString("hex");
    const id = `sam-${runId}`;
    const bundle = path.join(this.opts.workDir, "bundles", runId);
    const inputDir = path.join(bundle, "in");
    let cgroupPath: string | undefined;
    let spawnedAt = 0;
    try {
      const idRange = await this.uidRanges.allocate();
      this.heldRanges.set(id, idRange);
      // Any runner may end it after this (a waiting container: after a lease this driver renews).
      const deadline = warm ? Date.now() + warmLeaseMs(this.sweepIntervalMs) : sandboxDeadline(limits, this.graceMs);
      cgroupPath = `${this.cgroupBase}/${runCgroupName(idRange.block, deadline, runId)}`;
      fs.mkdirSync(bundle, { mode: 0o755 });
      fs.mkdirSync(inputDir, { mode: 0o755 });
      prepare(inputDir);
      const config = ociConfig(
        { id: runId, files: [], stdin: "", args, env, limits },
        {
          rootfs: this.opts.rootfs,
          inputDir,
          cgroupsPath: `${cgroupPath}/c`,
          seccomp: this.seccomp,
          idRange,
          apparmorProfile: this.opts.apparmorProfile,
          parentDeathSignal: this.runtime.singleThreaded,
        },
      );
      fs.writeFileSync(path.join(bundle, "config.json"), JSON.stringify(config));
      createRunCgroup(cgroupPath, { memoryBytes: limits.memoryMb * 1024 * 1024, processes: limits.processes, cpuCores: this.opts.cpuCores ?? 1 });
      spawnedAt = performance.now();
      const container = await spawnContainer(this.runtime, { id, bundle, inputDir, cgroupPath, limits }, { warm, interactive });
      container.spawnedAt = spawnedAt;
      return container;
    } catch (err) {
      fs.rmSync(bundle, { recursive: true, force: true });
      // The block goes back once nothing can be left running in the run's cgroup.
      if (cgroupPath)
        void removeCgroupTree(cgroupPath).then(
          () => this.releaseRange(id),
          () => undefined,
        );
      else this.releaseRange(id);
      throw new SandboxInfrastructureError(`could not start the container: ${(err as Error).message}`, { cause: err });
    }
  }

  async start(spec: SandboxRun, streams: SandboxStreams): Promise<SandboxHandle> {
    try {
      await this.ready;
    } catch (err) {
      throw new SandboxInfrastructureError(`the ${this.opts.runtime} runtime is not usable: ${(err as Error).message}`, { cause: err });
    }
    const startedAt = performance.now();
    const key = poolKey(spec.limits);
    let container = await this.takeWarm(key);
    const warm = container !== undefined;
    if (container) {
      try {
        this.waiting.delete(container);
        setDeadline(container.cgroupPath, sandboxDeadline(spec.limits, this.graceMs));
        writeInputDir(container.inputDir, spec);
        writeWarmSettings(container.inputDir, spec.env, spec.args, Math.max(1, Math.ceil(spec.limits.cpuTimeMs / 1000)));
      } catch (err) {
        void this.destroy(container);
        throw new SandboxInfrastructureError(`could not hand the run to a warm container: ${(err as Error).message}`, { cause: err });
      }
    } else {
      container = await this.launch(spec.limits, spec.env, spec.args, (inputDir) => writeInputDir(inputDir, spec), false, spec.interactive);
    }
    container.sink = streams;
    this.active++;
    this.remember(key, spec.limits);
    // Cold: the runtime was spawned in launch(); warm: the run goes once handed over (see supervise).
    const prepareMs = (warm ? performance.now() : container.spawnedAt!) - startedAt;
    const handle = this.supervise(container, spec, warm, spec.interactive ?? false, prepareMs);
    // The run's own stdin comes first; what is typed later follows it.
    if (spec.stdin) handle.stdin?.write(spec.stdin);
    void handle.done
      .finally(() => {
        this.active--;
        // Replacements start when a run ends, not when one starts: the runtime's setup moves a
        // process between cgroups, which stalls every fork on the machine for a moment (the
        // kernel's cgroup_threadgroup_rwsem, taken for writing), and a run that had just started
        // was measured slower for it (spaced runs 18 -> 33 ms).
        this.refill();
      })
      .catch(() => undefined);
    return handle;
  }

  private supervise(container: OciContainer, spec: SandboxRun, warm: boolean, interactive: boolean, prepareMs: number): SandboxHandle {
    const { limits } = spec;
    let killedFor: SandboxOutcome["killedFor"] = null;
    const kill = async (reason: KillReason) => {
      killedFor ??= reason;
      clock.stop();
      await this.killUntilGone(container);
    };
    const clock = new RunClock({
      limits,
      marker: spec.env.SAM_MARKER,
      readCpuMs: () => readCpuTimeMs(container.cgroupPath),
      kill: (reason) => void kill(reason),
    });
    container.sink = clock.watch(container.sink!);

    let wentAhead!: () => void;
    const goneAhead = new Promise<void>((resolve) => (wentAhead = resolve));
    let goAt = container.spawnedAt ?? performance.now();
    const go = async () => {
      // Bounded from here: a container that never gets to the program is killed (see run-clock.ts).
      clock.containerStart();
      if (warm) {
        goAt = performance.now();
        // What the waiting launcher used is not the program's.
        resetMemoryPeak(container.cgroupPath);
        await signalGo(container, interactive);
      }
      wentAhead();
    };

    const done = (async (): Promise<SandboxOutcome> => {
      try {
        await go();
      } catch (err) {
        clock.stop();
        await this.destroy(container);
        throw new SandboxInfrastructureError(`the container did not start the run: ${(err as Error).message}`, { cause: err });
      }
      const code = await container.closed;
      clock.stop();
      const exitedAt = performance.now();
      const stats = readCgroupStats(container.cgroupPath);
      void this.destroy(container);
      if (code === null) throw new SandboxInfrastructureError(`${this.opts.runtime} failed to run the container`);
      // The runtime exits 128+N when the container's init died of signal N.
      const bySignal = code > 128 && code < 160;
      const signalName = bySignal ? (Object.entries(os.constants.signals).find(([, n]) => n === code - 128)?.[0] ?? null) : null;
      return {
        exitCode: bySignal ? null : code,
        signal: signalName ?? null,
        wallTimeMs: clock.wallTimeMs(),
        cpuTimeMs: clock.programCpuMs(stats.cpuTimeMs),
        memoryKb: stats.memoryPeakKb,
        // Only the kernel sends SIGKILL unasked when memory runs out (our own kills are in killedFor).
        oomKilled: stats.oomKilled || (stats.memoryLimitHit && signalName === "SIGKILL" && killedFor === null),
        memoryLimitHit: stats.memoryLimitHit,
        processLimitHit: stats.processLimitHit,
        killedFor,
        stages: runStages(prepareMs, exitedAt - goAt, clock.programStarted ? clock.wallTimeMs() : 0, performance.now() - exitedAt),
      };
    })();
    // Input waits for the go line (a warm launcher reads its first line as the go), then keeps its order.
    const pipe = container.proc.stdin;
    let input = goneAhead;
    const stdin = {
      write: (data: string) => void (input = input.then(() => void pipe.write(data))),
      end: () => void (input = input.then(() => void pipe.end())),
    };
    return { done, kill: (reason) => kill(reason), stdin: interactive ? stdin : undefined };
  }

  /**
   * Kills a container until it is really gone: a kill that comes while the
   * runtime is still creating it fails (there is nothing to kill yet), so it
   * is retried, and the run's cgroup is killed as the backstop (which ends
   * whatever is in it, whether or not the runtime knows the container yet).
   * Resolves once the container is gone, or after KILL_WAIT_MS with the
   * retries going on in the background (until it is gone or the driver closes).
   */
  private killUntilGone(container: OciContainer): Promise<void> {
    container.killing ??= (async () => {
      let asking: Promise<unknown> | undefined;
      for (let round = 0; !container.exited && !this.closed; round++) {
        // One runtime call at a time (each is a process); the cgroup kill needs none.
        asking ??= this.runtime
          .call(["kill", container.id, "KILL"])
          .catch(() => undefined)
          .finally(() => (asking = undefined));
        if (round > 0) await killCgroup(container.cgroupPath).catch(() => false);
        await Promise.race([container.closed, sleep(Math.min(20 * 2 ** round, 1000))]);
      }
    })();
    return Promise.race([container.killing, sleep(KILL_WAIT_MS)]);
  }

  /** A started (or starting), still-waiting container for these limits, if there is one. */
  private async takeWarm(key: string): Promise<OciContainer | undefined> {
    const entry = this.warm.get(key);
    while (entry?.ready.length) {
      const container = await entry.ready.shift()!;
      if (container && !container.exited) return container;
      if (container) void this.destroy(container);
    }
    return undefined;
  }

  /** Marks this set of limits as recently used (the pools of the few used most recently are kept). */
  private remember(key: string, limits: SandboxLimits): void {
    if ((this.opts.warmContainers ?? 0) <= 0 || this.closing) return;
    const entry = this.warm.get(key) ?? { limits, ready: [] };
    this.warm.delete(key);
    this.warm.set(key, entry);
    while (this.warm.size > MAX_POOL_KEYS) {
      const [oldKey, old] = this.warm.entries().next().value!;
      this.warm.delete(oldKey);
      for (const c of old.ready) void c.then((container) => container && this.destroy(container));
    }
  }

  /**
   * Tops the remembered pools up to `warmContainers` started containers, the
   * most recently used first, while a core is free for it: while runs plus
   * containers being started number fewer than the cores. Starting a
   * container takes CPU (the runtime's setup, the launcher's start); below one
   * run per core that CPU is idle anyway, and the next run finds its
   * container started instead of paying for a cold start. At or above one run
   * per core nothing starts ahead (it would take CPU from running programs):
   * runs start cold until the load drops. Called when a run ends, and when a
   * warm container is ready (the next may start).
   */
  private refill(): void {
    const size = this.opts.warmContainers ?? 0;
    for (const entry of [...this.warm.values()].reverse()) {
      while (!this.closing && entry.ready.length < size && this.active + this.startingWarm < this.cores) this.startWarm(entry);
    }
  }

  /** Starts one container that waits for a run. */
  private startWarm(entry: WarmPool): void {
    const prepare = (inputDir: string) => fs.mkdirSync(path.join(inputDir, "files"), { mode: 0o755 });
    this.startingWarm++;
    let counted = true;
    // Counted as starting until its launcher waits, then the next may start; one that failed
    // is not replaced at once (a broken runtime would fail again): the next run or run end does.
    const started = (ok: boolean) => {
      if (!counted) return;
      counted = false;
      this.startingWarm--;
      if (ok) this.refill();
    };
    const starting: Promise<OciContainer | undefined> = this.launch(entry.limits, { SAM_WAIT_FOR_GO: "1" }, [], prepare, true).then(
      (container) => {
        this.waiting.add(container);
        void container.waiting!.then(
          () => started(true),
          () => started(false),
        );
        // A warm container that dies while waiting is dropped (and replaced when a core is free).
        void container.closed.then(() => {
          const i = entry.ready.indexOf(starting);
          if (i >= 0) {
            entry.ready.splice(i, 1);
            void this.destroy(container);
          }
        });
        return container;
      },
      () => {
        started(false);
        return undefined; // the next run starts cold instead
      },
    );
    entry.ready.push(starting);
  }

  private async destroy(container: OciContainer) {
    this.waiting.delete(container);
    if (!container.exited) {
      // A warm container's launcher also ends when its stdin does (it waits for the go line).
      container.proc.stdin.end();
      await this.killUntilGone(container);
    }
    await container.closed;
    // The runtime deletes the container when its run ends, unless the runtime itself was killed.
    if (this.runtime.hasState(container.id)) await this.runtime.call(["delete", "--force", container.id]).catch(() => undefined);
    // Its host ids go back only once the run's cgroup is gone, with every process it held.
    await removeCgroupTree(container.cgroupPath).then(
      () => this.releaseRange(container.id),
      () => undefined,
    );
    // rm never follows symlinks, and the program could not write here anyway (read-only mount).
    fs.rmSync(container.bundle, { recursive: true, force: true });
  }

  private releaseRange(containerId: string): void {
    this.heldRanges.get(containerId)?.release();
    this.heldRanges.delete(containerId);
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.sweeper.stop();
    const waiting = [...this.warm.values()].flatMap((e) => e.ready);
    this.warm.clear();
    await Promise.all(
      waiting.map(async (c) => {
        const container = await c;
        if (container) await this.destroy(container);
      }),
    );
    this.runtime.close();
    this.closed = true;
    await removeCgroupTree(this.cgroupBase).catch(() => undefined);
  }
}
