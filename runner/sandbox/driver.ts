/**
 * The contract every sandbox driver (oci: runc on a bundle; docker: the Docker
 * Engine API) fulfils. One contract test suite runs against each.
 *
 * A run gets a fresh container; the run's files and stdin go in, read-only,
 * before the program starts (mounted at /sam/in); output comes out only as the
 * two streams. The driver never reads anything back from inside the container.
 */
export interface SandboxLimits {
  cpuTimeMs: number;
  wallTimeMs: number;
  memoryMb: number;
  processes: number;
  /** Size of each writable area: the working dir /work and /tmp. */
  diskMb: number;
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
  /** Why the runner (not the program) ended the run, if it did. */
  killedFor: "wall_time" | "cpu_time" | "requested" | null;
}

/** A started run: wait for it, or end it early (output limit, cancel). */
export interface SandboxHandle {
  done: Promise<SandboxOutcome>;
  kill(reason: "requested"): Promise<void>;
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
  readonly name: "oci" | "docker";
  start(run: SandboxRun, streams: SandboxStreams): Promise<SandboxHandle>;
  close(): Promise<void>;
}
