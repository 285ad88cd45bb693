import type { KillReason, SandboxLimits, SandboxStreams } from "./driver";

/**
 * The clocks of one run, the same for every driver (each only says how to
 * read its CPU counter and how to kill):
 *  - the wall clock starts when the program starts: when the launcher's
 *    started line (`<SAM_MARKER>:started`) comes on stderr, so creating the
 *    container, copying the files in and compiling use none of it;
 *  - the CPU limit counts from then too (the run's cgroup counter, less what
 *    it held at the start), checked every CPU_CHECK_MS;
 *  - the container's whole life is bounded from when it got the run
 *    (containerLifetimeMs: time to start, the compile limit, the wall limit):
 *    a launcher that never gets to the program is killed as `stalled`.
 */

/** Time a container may take to be created and reach the program, beyond compiling. */
export const START_ALLOWANCE_MS = 30_000;
const CPU_CHECK_MS = 50;

/** The longest a run's container may live once it has the run, whatever happens inside. */
export function containerLifetimeMs(limits: Pick<SandboxLimits, "wallTimeMs" | "compileSeconds">): number {
  return START_ALLOWANCE_MS + (limits.compileSeconds ?? 0) * 1000 + limits.wallTimeMs;
}

export interface RunClockOptions {
  limits: SandboxLimits;
  /** The run's SAM_MARKER; without one the program counts as started with the container. */
  marker: string | undefined;
  /** CPU time of the run's cgroup so far, in ms (null: not readable now). */
  readCpuMs(): number | null;
  kill(reason: KillReason): void;
}

export class RunClock {
  private containerAt: number | null = null;
  private startedAt: number | null = null;
  private stoppedAt: number | null = null;
  private cpuBaseline = 0;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly opts: RunClockOptions) {}

  get programStarted(): boolean {
    return this.startedAt !== null;
  }

  /** The streams to hand the container's output to: they watch stderr for the started line. */
  watch(streams: SandboxStreams): SandboxStreams {
    const { marker } = this.opts;
    if (!marker) return streams;
    const line = `${marker}:started\n`;
    let tail = "";
    return {
      stdout: (chunk) => streams.stdout(chunk),
      stderr: (chunk) => {
        if (this.startedAt === null) {
          // The line may arrive split over chunks: keep just enough of the previous one.
          const text = tail + chunk.toString("latin1");
          if (text.includes(line)) this.programStart();
          else tail = text.slice(-(line.length - 1));
        }
        streams.stderr(chunk);
      },
    };
  }

  /** The container has the run: its life is bounded from now. */
  containerStart(): void {
    if (this.containerAt !== null || this.stoppedAt !== null) return;
    this.containerAt = Date.now();
    this.later(() => this.opts.kill(this.startedAt === null ? "stalled" : "wall_time"), containerLifetimeMs(this.opts.limits));
    if (!this.opts.marker) this.programStart();
  }

  private programStart(): void {
    if (this.startedAt !== null || this.stoppedAt !== null) return;
    this.startedAt = Date.now();
    this.cpuBaseline = this.opts.readCpuMs() ?? 0;
    const { wallTimeMs, cpuTimeMs } = this.opts.limits;
    this.later(() => this.opts.kill("wall_time"), wallTimeMs);
    const cpuCheck = setInterval(() => {
      const used = this.opts.readCpuMs();
      if (used !== null && used - this.cpuBaseline > cpuTimeMs) this.opts.kill("cpu_time");
    }, CPU_CHECK_MS);
    this.timers.push(cpuCheck);
  }

  private later(fn: () => void, ms: number): void {
    this.timers.push(setTimeout(fn, ms));
  }

  /** The run ended: no more kills. */
  stop(): void {
    this.stoppedAt ??= Date.now();
    for (const t of this.timers) clearTimeout(t);
  }

  /** Wall time of the program (of the container, if the program never started). */
  wallTimeMs(): number {
    const from = this.startedAt ?? this.containerAt;
    return from === null ? 0 : (this.stoppedAt ?? Date.now()) - from;
  }

  /** The program's share of the cgroup's CPU time (what the launcher and compiler used before it is not counted). */
  programCpuMs(totalMs: number | null): number | null {
    if (totalMs === null) return null;
    return Math.max(0, Math.round(totalMs - (this.startedAt === null ? totalMs : this.cpuBaseline)));
  }
}
