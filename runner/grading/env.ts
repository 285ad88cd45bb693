import type { Logger } from "pino";
import type { LimitPolicy, RunLimits } from "../../lib/executions/limits";
import type { ProgramResult } from "../execution/execute";
import type { LanguageDefinition } from "../languages/catalogue";
import type { SandboxDriver } from "../sandbox/driver";

/**
 * What grading one submission needs from the runner, handed to every kind of
 * test (io here, checker and command tests: checker.ts, command-test.ts).
 * Every `run` is a FRESH sandbox: nothing one run writes (in /work, /tmp or
 * anywhere) reaches another. The sandbox gets only what the call passes in;
 * expected outputs and other tests' data stay in the runner process.
 */
export interface GradingEnv {
  driver: SandboxDriver;
  /** The languages this runner verified, by name (sandbox/languages/*.json). */
  languages: Map<string, LanguageDefinition>;
  /** Writable disk of each run (/work and /tmp), from the server's limit policy. */
  diskMb: number;
  /** The server's limit policy (SAM_LIMIT_*): defaults and maximum of every run. */
  policy: LimitPolicy;
  /** Aborted by the runner's watchdog when the grading is past its budget: every run in progress ends. */
  signal: AbortSignal;
  log: Logger;
  /**
   * Limits of a run in `language`: the policy's defaults raised by the
   * language's needs, then each override in order (later wins), clamped to
   * the policy's maximum (lib/executions/limits.ts resolveLimits).
   */
  limitsFor(language: string, ...overrides: Array<Partial<RunLimits> | undefined>): RunLimits;
  /**
   * Compiles `files` once in a sandbox of their own and returns the build:
   * a tar of the language's artifacts (`artifacts` in its definition), to
   * pass as `build` to every later run. Interpreted languages: {ok: true,
   * tar: null} at once, no sandbox. A compile that fails (or whose artifacts
   * exceed the output maximum) is {ok: false, output} with the compiler's output.
   */
  build(language: string, files: GradingFile[], limits?: RunLimits): Promise<BuildResult>;
  /**
   * Runs one program in a fresh sandbox and returns what happened (status,
   * exit code, signal, stdout/stderr bytes capped at limits.outputKb, wall
   * time, memory). A program that fails or exceeds a limit is a result; only
   * the sandbox failing throws (SandboxInfrastructureError: the grading is
   * retried), or the watchdog's abort.
   */
  run(program: GradingProgram): Promise<ProgramResult>;
}

export interface GradingFile {
  /** Relative path inside /work. */
  name: string;
  /** Bytes, or text written as UTF-8. */
  content: string | Uint8Array;
}

export interface GradingProgram {
  /** A language of `languages`. */
  language: string;
  /** Copied into /work before anything runs (the entry file first: it is SAM_ENTRY). */
  files: GradingFile[];
  /** The program's stdin (then end of file). Default: empty. */
  stdin?: string | Uint8Array;
  /** Arguments ("$@" of the run command). Default: none. */
  args?: string[];
  limits: RunLimits;
  /**
   * The tar from `build` for this language and files: unpacked in the
   * sandbox instead of compiling. null/undefined for an interpreted language;
   * undefined for a compiled one compiles in this run (costs a compile).
   */
  build?: Buffer | null;
  /**
   * A shell command run instead of the language's run command (trusted text
   * from the teacher: a test command, a checker wrapper). Runs in /work after
   * the build is in place, by the launcher's shell: "$SAM_ENTRY" is the
   * first file's name, "$@" are `args`, stdin is `stdin`. What it prints on
   * stdout/stderr is all that comes back (nothing is read from the sandbox).
   */
  command?: string;
}

export type BuildResult = { ok: true; tar: Buffer | null } | { ok: false; output: string };
