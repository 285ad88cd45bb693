/**
 * The contract every sandbox driver (oci: runc on a bundle; docker: the Docker
 * Engine API) fulfils. One contract test suite runs against each.
 *
 * A run gets a fresh container; the run's files and stdin go in, read-only,
 * before the program starts (mounted at /sam/in); output comes out only as the
 * two streams. The driver never reads anything back from inside the container.
 *
 * Time (see run-clock.ts, which every driver uses): the wall and CPU limits
 * count from the program's start (the launcher's started line), so neither
 * creating the container nor compiling uses them up; compiling has its own
 * limit; and the container's whole life is bounded (containerLifetimeMs).
 * A kill is retried until the container is gone, the run's cgroup killed as a
 * backstop: a kill can come at any moment, also while the container is being
 * created, and is never lost.
 */
export interface SandboxLimits {
  /** CPU time of all the program's processes together, from its start. */
  cpuTimeMs: number;
  /** From the program's start (after compiling). */
  wallTimeMs: number;
  memoryMb: number;
  processes: number;
  /** Size of each writable area: the working dir /work and /tmp. */
  diskMb: number;
  /** The compile step's own wall-time limit (0 or absent: nothing to compile). */
  compileSeconds?: number;
}

export interface SandboxRun {
  /** Unique, [a-z0-9-] only: used in container and cgroup names. */
  id: string;
  /** Contents and stdin as bytes (any bytes), or text written as UTF-8. */
  files: Array<{ name: string; content: string | Uint8Array }>;
  stdin: string | Uint8Array;
  args: string[];
  /** The launcher's variables (see sandbox/images/runtime/sam-run; SAM_INTERACTIVE with `interactive`). */
  env: Record<string, string>;
  limits: SandboxLimits;
  /**
   * Live input: the program's stdin stays open and the handle's `stdin` feeds
   * it (the run's stdin first, then whatever is typed), until it is ended.
   * Otherwise the program reads `stdin` from a file and then end-of-file.
   */
  interactive?: boolean;
  /**
   * A grading's build (runner/grading/build.ts): a tar of the compiled
   * artifacts, put at /sam/in/build.tar (read-only) for the launcher's
   * compile step to unpack instead of compiling again.
   */
  build?: Uint8Array;
}

export interface SandboxStreams {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
}

export interface SandboxOutcome {
  exitCode: number | null;
  signal: string | null;
  wallTimeMs: number;
  cpuTimeMs: number | null;
  memoryKb: number | null;
  /** The memory cgroup killed something for going over the limit. */
  oomKilled: boolean;
  /** The run reached its memory or process limit at some point (the kernel refused it memory or a fork). */
  memoryLimitHit?: boolean;
  processLimitHit?: boolean;
  /**
   * Why the runner (not the program) ended the run, if it did. `stalled`: the
   * container outlived containerLifetimeMs without the program starting.
   */
  killedFor: KillReason | null;
  /**
   * Where the run's time went inside the driver, in order: milliseconds per
   * named stage (e.g. prepare, start, program). Only for the bench's per-stage
   * breakdown (lib/perf/stages.ts); nothing depends on it.
   */
  stages?: Array<{ stage: string; ms: number }>;
}

export type KillReason = "wall_time" | "cpu_time" | "requested" | "stalled";

/** A started run: wait for it, or end it early (output limit, cancel, the runner's watchdog). */
export interface SandboxHandle {
  done: Promise<SandboxOutcome>;
  /** Kills the whole run, now or as soon as its container exists; resolves once it is gone (or the driver gave up). */
  kill(reason: "requested" | "wall_time"): Promise<void>;
  /** The program's stdin, for interactive runs (every driver offers it then). */
  stdin?: { write(data: string | Uint8Array): void; end(): void };
}

/** Thrown when the sandbox itself failed (not the program): the job is retried. */
export class SandboxInfrastructureError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SandboxInfrastructureError";
  }
}

export interface SandboxDriver {
  readonly name: "oci" | "docker" | "bwrap";
  start(run: SandboxRun, streams: SandboxStreams): Promise<SandboxHandle>;
  close(): Promise<void>;
}
