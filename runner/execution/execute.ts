import { randomBytes } from "node:crypto";
import type { RunLimits } from "../../lib/executions/limits";
import type { ExecutionStatus } from "../../lib/executions/status";
import type { ExecutionView } from "../../lib/executions/view";
import type { LanguageDefinition } from "../languages/catalogue";
import { SandboxInfrastructureError, type SandboxDriver, type SandboxHandle, type SandboxOutcome } from "../sandbox/driver";
import type { CompileCache } from "./compile-cache";
import { OutputCollector, PRESTART_MAX_BYTES, type OutputSink } from "./output";

export interface ProgramRequest {
  /** Contents as bytes (any bytes) or as text (written as UTF-8). */
  files: Array<{ name: string; content: string | Uint8Array }>;
  stdin: string | Uint8Array;
  /** Live input: see SandboxRun.interactive. */
  interactive?: boolean;
  args: string[];
  /** A grading's build tar, unpacked by the language's compile step (runner/grading/build.ts). */
  build?: Uint8Array;
}

/**
 * What one run produced: the execution's result fields (see ExecutionView).
 * `bytes` holds the output exactly as the program wrote it (what is stored);
 * stdout, stderr and compileOutput are the same decoded as UTF-8 text.
 */
export type ProgramResult = Pick<
  ExecutionView,
  "status" | "exitCode" | "signal" | "stdout" | "stderr" | "compileOutput" | "cpuTimeMs" | "memoryKb" | "truncated"
> & {
  wallTimeMs: number;
  bytes: { stdout: Buffer; stderr: Buffer; compileOutput: Buffer | null };
  /** The driver's own stages (SandboxOutcome.stages), for the bench's breakdown. */
  stages?: SandboxOutcome["stages"];
};

export interface ExecuteHooks extends Partial<OutputSink> {
  /** Lets the caller end the run early (cancellation). */
  onHandle?(handle: SandboxHandle): void;
  /**
   * Aborted by the runner's watchdog (see runner/queue/watchdog.ts): the run
   * is killed in whatever state it is, and ends at once: time_limit_exceeded
   * with the output so far if the program had started, else the abort's
   * reason is thrown.
   */
  signal?: AbortSignal;
  /**
   * Counts the bytes of a build the compile cache would keep after this run's miss against the run's
   * account (its output budget); false: not kept. A cached build lives in Redis like the account's output.
   */
  chargeBuild?(bytes: number): Promise<boolean>;
}

/** How long a run told to stop by the watchdog may take to report its end before it is reported without it. */
const ABORT_SETTLE_MS = 3_000;

/**
 * Runs one program in a fresh sandbox and turns what happened into a result.
 * A program that fails, crashes or exceeds a limit is a result; only a sandbox
 * that could not do its job throws (SandboxInfrastructureError), so the job is retried.
 * With a compile cache, a compiled program whose build is cached runs from it
 * instead of compiling (runner/execution/compile-cache.ts).
 */
export async function executeProgram(
  driver: SandboxDriver,
  language: LanguageDefinition,
  request: ProgramRequest,
  limits: RunLimits,
  diskMb: number,
  hooks: ExecuteHooks = {},
  compileCache?: CompileCache,
): Promise<ProgramResult> {
  if (!compileCache?.serves(language, request)) return runInSandbox(driver, language, request, limits, diskMb, hooks);
  return compileCache.run(
    language,
    request,
    limits,
    (lang, req, onCompiled) =>
      runInSandbox(driver, lang, req, limits, diskMb, {
        ...hooks,
        compiled: (ok) => {
          onCompiled?.(ok);
          hooks.compiled?.(ok);
        },
      }),
    hooks.chargeBuild,
  );
}

async function runInSandbox(
  driver: SandboxDriver,
  language: LanguageDefinition,
  request: ProgramRequest,
  limits: RunLimits,
  diskMb: number,
  hooks: ExecuteHooks,
): Promise<ProgramResult> {
  const marker = `sam-${randomBytes(16).toString("hex")}`;
  let outputExceeded = false;
  let handle: SandboxHandle | undefined;
  let startedAt: number | undefined;
  const collector = new OutputCollector(marker, limits.outputKb * 1024, {
    chunk: (channel, bytes) => hooks.chunk?.(channel, bytes),
    compiled: (ok) => hooks.compiled?.(ok),
    started: () => {
      startedAt = Date.now();
      hooks.started?.();
    },
    overLimit: () => {
      if (outputExceeded) return;
      outputExceeded = true;
      void handle?.kill("requested");
      hooks.overLimit?.();
    },
  });
  // The run commands pass "$SAM_ENTRY" to an interpreter (python3 -u "$SAM_ENTRY" "$@"): a name starting
  // with "-" would be read as its option ("-c" runs the first arg as code), so it goes as "./-c", the same file.
  const named = request.files[0]?.name ?? language.entryFile;
  const entry = named.startsWith("-") ? `./${named}` : named;
  const starting = driver.start(
    {
      id: randomBytes(8).toString("hex"),
      files: request.files,
      stdin: request.stdin,
      interactive: request.interactive,
      args: request.args,
      build: request.build,
      env: {
        SAM_ENTRY: entry,
        SAM_COMPILE: language.compile ?? "",
        SAM_COMPILE_SECONDS: String(language.compileSeconds),
        SAM_RUN: language.run,
        SAM_MARKER: marker,
        // The launcher keeps the program's stdin open for live input (sandbox/images/runtime/sam-run).
        ...(request.interactive ? { SAM_INTERACTIVE: "1" } : {}),
      },
      limits: { ...limits, diskMb, compileSeconds: language.compile ? language.compileSeconds : 0 },
    },
    { stdout: (c) => collector.onStdout(c), stderr: (c) => collector.onStderr(c) },
  );
  const aborted = whenAborted(hooks.signal);
  const first = await Promise.race([starting, aborted]);
  if (first === ABORTED) {
    // The container is still being made: it is killed as soon as it exists.
    void starting.then((h) => h.kill("wall_time")).catch(() => undefined);
    throw abortReason(hooks.signal!);
  }
  handle = first;
  // The output limit may have been passed before the handle came back.
  if (outputExceeded) void handle.kill("requested");
  hooks.onHandle?.(handle);
  let outcome = await Promise.race([handle.done, aborted]);
  if (outcome === ABORTED) {
    void handle.kill("wall_time").catch(() => undefined);
    const gaveUp = (): typeof ABORTED => ABORTED;
    outcome = await Promise.race([handle.done.catch(gaveUp), sleep(ABORT_SETTLE_MS).then(gaveUp)]);
    if (!collector.started) throw abortReason(hooks.signal!);
    // The sandbox did not report the end in time: what the runner saw is the result.
    if (outcome === ABORTED) {
      outcome = {
        exitCode: null,
        signal: "SIGKILL",
        wallTimeMs: Date.now() - (startedAt ?? Date.now()),
        cpuTimeMs: null,
        memoryKb: null,
        oomKilled: false,
        killedFor: "wall_time",
      };
    }
  }

  collector.end();

  const compileFailed = collector.compileStatus !== null && collector.compileStatus !== 0;
  let status: ExecutionStatus;
  if (!collector.started && !compileFailed && !outputExceeded && outcome.killedFor !== "requested") {
    // The program never ran: the launcher or the OCI runtime failed (or never got going).
    status = limitThatStoppedTheLauncher(outcome, collector.compileOutput.subarray(0, 500).toString("utf8"));
  } else {
    status = statusOf({
      compileFailed,
      compileTimedOut: compileFailed && collector.compileStatus === 137,
      outputExceeded,
      outcome,
      cpuLimitMs: limits.cpuTimeMs,
    });
  }
  // A program that never started says on stderr which of its limits left no room.
  const stderr = collector.started
    ? collector.bytes("stderr")
    : Buffer.from(launcherFailureNote(status, limits, collector.prestartExceeded && !language.compile));
  const stdout = collector.bytes("stdout");
  const compileOutput = language.compile ? collector.compileOutput : null;
  return {
    status,
    // A failed compile reports the compiler's exit status (the launcher itself exits 0 then).
    exitCode: compileFailed ? collector.compileStatus : collector.started ? outcome.exitCode : null,
    signal: outcome.signal,
    stdout: stdout.toString("utf8"),
    stderr: stderr.toString("utf8"),
    compileOutput: compileOutput?.toString("utf8") ?? null,
    cpuTimeMs: outcome.cpuTimeMs,
    wallTimeMs: outcome.wallTimeMs,
    memoryKb: outcome.memoryKb,
    truncated: collector.truncated || collector.prestartExceeded,
    bytes: { stdout, stderr, compileOutput },
    stages: outcome.stages,
  };
}

/**
 * The program never started. If the run's own limits were hit on the way
 * (the sandbox's start-up needs some memory and processes too), that is the
 * result: the user asked for too little. Anything else is the sandbox failing,
 * and the job is retried.
 */
function limitThatStoppedTheLauncher(outcome: SandboxOutcome, launcherOutput: string): ExecutionStatus {
  if (outcome.oomKilled || outcome.memoryLimitHit) return "memory_limit_exceeded";
  if (outcome.processLimitHit) return "failed";
  const why =
    outcome.killedFor === "stalled"
      ? "did not start the program in time"
      : `ended (${outcome.signal ?? `status ${outcome.exitCode}`}) before the program started`;
  throw new SandboxInfrastructureError(`the sandbox ${why}: ${launcherOutput.slice(0, 500)}`);
}

/** What a run that never started says on stderr: which of its limits left no room, or that it printed too much first. */
function launcherFailureNote(status: ExecutionStatus, limits: RunLimits, printedTooMuch: boolean): string {
  if (printedTooMuch) return `sandbox: more than ${PRESTART_MAX_BYTES} bytes were printed before the program started; the run was stopped\n`;
  if (status === "memory_limit_exceeded") return `sandbox: the program could not start within the memory limit (${limits.memoryMb} MiB)\n`;
  if (status === "failed") return `sandbox: the program could not start within the process limit (${limits.processes})\n`;
  return "";
}

const ABORTED: unique symbol = Symbol("aborted");
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function whenAborted(signal: AbortSignal | undefined): Promise<typeof ABORTED> {
  if (!signal) return new Promise(() => undefined);
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(ABORTED), { once: true }));
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason));
}

function statusOf(s: {
  compileFailed: boolean;
  compileTimedOut: boolean;
  outputExceeded: boolean;
  outcome: Awaited<SandboxHandle["done"]>;
  cpuLimitMs: number;
}): ExecutionStatus {
  const { outcome } = s;
  if (outcome.killedFor === "requested" && !s.outputExceeded) return "cancelled";
  if (s.outputExceeded) return "output_limit_exceeded";
  if (outcome.killedFor === "wall_time" || outcome.killedFor === "cpu_time") return "time_limit_exceeded";
  if (outcome.signal === "SIGXCPU") return "time_limit_exceeded";
  if (outcome.oomKilled) return "memory_limit_exceeded";
  // RLIMIT_CPU's hard limit (a second past the soft one, for a program that ignores SIGXCPU) kills with SIGKILL.
  if (outcome.signal === "SIGKILL" && outcome.cpuTimeMs !== null && outcome.cpuTimeMs >= s.cpuLimitMs) return "time_limit_exceeded";
  if (s.compileFailed) return s.compileTimedOut ? "time_limit_exceeded" : "compile_error";
  return outcome.exitCode === 0 ? "succeeded" : "failed";
}
