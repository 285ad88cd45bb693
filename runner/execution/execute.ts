import { randomBytes } from "node:crypto";
import type { RunLimits } from "../../lib/executions/limits";
import type { ExecutionStatus } from "../../lib/executions/status";
import type { ExecutionView } from "../../lib/executions/view";
import type { LanguageDefinition } from "../languages/catalogue";
import { SandboxInfrastructureError, type SandboxDriver, type SandboxHandle } from "../sandbox/driver";
import { OutputCollector, type OutputSink } from "./output";

export interface ProgramRequest {
  /** Contents as bytes (any bytes) or as text (written as UTF-8). */
  files: Array<{ name: string; content: string | Uint8Array }>;
  stdin: string | Uint8Array;
  /** Live input: see SandboxRun.interactive. */
  interactive?: boolean;
  args: string[];
}

/**
 * What one run produced: the execution's result fields (see ExecutionView).
 * `bytes` holds the output exactly as the program wrote it (what is stored);
 * stdout, stderr and compileOutput are the same decoded as UTF-8 text.
 */
export type ProgramResult = Pick<
  ExecutionView,
  "status" | "exitCode" | "signal" | "stdout" | "stderr" | "compileOutput" | "cpuTimeMs" | "memoryKb" | "truncated"
> & { wallTimeMs: number; bytes: { stdout: Buffer; stderr: Buffer; compileOutput: Buffer | null } };

export interface ExecuteHooks extends Partial<OutputSink> {
  /** Lets the caller end the run early (cancellation). */
  onHandle?(handle: SandboxHandle): void;
}

/**
 * Runs one program in a fresh sandbox and turns what happened into a result.
 * A program that fails, crashes or exceeds a limit is a result; only a sandbox
 * that could not do its job throws (SandboxInfrastructureError), so the job is retried.
 */
export async function executeProgram(
  driver: SandboxDriver,
  language: LanguageDefinition,
  request: ProgramRequest,
  limits: RunLimits,
  diskMb: number,
  hooks: ExecuteHooks = {},
): Promise<ProgramResult> {
  const marker = `sam-${randomBytes(16).toString("hex")}`;
  let outputExceeded = false;
  let handle: SandboxHandle | undefined;
  const collector = new OutputCollector(marker, limits.outputKb * 1024, {
    chunk: (channel, text, bytes) => hooks.chunk?.(channel, text, bytes),
    compiled: (ok) => hooks.compiled?.(ok),
    started: () => hooks.started?.(),
    overLimit: () => {
      if (outputExceeded) return;
      outputExceeded = true;
      void handle?.kill("requested");
      hooks.overLimit?.();
    },
  });
  const entry = request.files[0]?.name ?? language.entryFile;
  handle = await driver.start(
    {
      id: randomBytes(8).toString("hex"),
      files: request.files,
      stdin: request.stdin,
      interactive: request.interactive,
      args: request.args,
      env: {
        SAM_ENTRY: entry,
        SAM_COMPILE: language.compile ?? "",
        SAM_COMPILE_SECONDS: String(language.compileSeconds),
        SAM_RUN: language.run,
        SAM_MARKER: marker,
        // The launcher keeps the program's stdin open for live input (sandbox/images/runtime/sam-run).
        ...(request.interactive ? { SAM_INTERACTIVE: "1" } : {}),
      },
      limits: { ...limits, diskMb },
    },
    { stdout: (c) => collector.onStdout(c), stderr: (c) => collector.onStderr(c) },
  );
  hooks.onHandle?.(handle);
  const outcome = await handle.done;
  collector.end();

  const compileFailed = collector.compileStatus !== null && collector.compileStatus !== 0;
  if (!compileFailed && !collector.started && outcome.exitCode === 125) {
    throw new SandboxInfrastructureError(`the launcher failed before the program started: ${collector.compileOutput.subarray(0, 500).toString("utf8")}`);
  }
  const status = statusOf({
    compileFailed,
    compileTimedOut: compileFailed && collector.compileStatus === 137,
    outputExceeded,
    outcome,
  });
  return {
    status,
    // A failed compile reports the compiler's exit status (the launcher itself exits 0 then).
    exitCode: compileFailed ? collector.compileStatus : outcome.exitCode,
    signal: outcome.signal,
    stdout: collector.text("stdout"),
    stderr: collector.text("stderr"),
    compileOutput: language.compile ? collector.compileOutput.toString("utf8") : null,
    cpuTimeMs: outcome.cpuTimeMs,
    wallTimeMs: outcome.wallTimeMs,
    memoryKb: outcome.memoryKb,
    truncated: collector.truncated,
    bytes: { stdout: collector.bytes("stdout"), stderr: collector.bytes("stderr"), compileOutput: language.compile ? collector.compileOutput : null },
  };
}

function statusOf(s: {
  compileFailed: boolean;
  compileTimedOut: boolean;
  outputExceeded: boolean;
  outcome: Awaited<SandboxHandle["done"]>;
}): ExecutionStatus {
  const { outcome } = s;
  if (outcome.killedFor === "requested" && !s.outputExceeded) return "cancelled";
  if (s.outputExceeded) return "output_limit_exceeded";
  if (outcome.killedFor === "wall_time" || outcome.killedFor === "cpu_time") return "time_limit_exceeded";
  if (outcome.signal === "SIGXCPU") return "time_limit_exceeded";
  if (outcome.oomKilled) return "memory_limit_exceeded";
  if (s.compileFailed) return s.compileTimedOut ? "time_limit_exceeded" : "compile_error";
  return outcome.exitCode === 0 ? "succeeded" : "failed";
}
