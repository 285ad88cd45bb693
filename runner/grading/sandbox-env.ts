import type { Logger } from "pino";
import { type LimitPolicy, type RunLimits, resolveLimits } from "../../lib/executions/limits";
import type { ChargeBuild, CompileCache } from "../execution/compile-cache";
import { executeProgram, type ProgramResult } from "../execution/execute";
import type { LanguageDefinition } from "../languages/catalogue";
import { SandboxInfrastructureError, type SandboxDriver, type SandboxHandle } from "../sandbox/driver";
import { commandLanguage, packingLanguage, unpackingLanguage } from "./build";
import type { BuildResult, GradingEnv, GradingFile, GradingProgram } from "./env";
import { GradingCancelledError } from "./outcome";

export interface SandboxEnvOptions {
  driver: SandboxDriver;
  languages: Map<string, LanguageDefinition>;
  diskMb: number;
  policy: LimitPolicy;
  signal: AbortSignal;
  log: Logger;
  /** Called as each sandbox is asked for (metrics, counting in tests). */
  onSandbox?(kind: "build" | "run"): void;
  /** Each sandbox's handle once it exists (cancellation, metrics). */
  onHandle?(handle: SandboxHandle): void;
  /** Builds shared with runs (runner/execution/compile-cache.ts): a cached build skips the build sandbox, a new one is kept. */
  compileCache?: CompileCache;
  /** Counts a build the cache would keep against the grading's account; false: not kept (compile-cache.ts ChargeBuild). */
  chargeBuild?: ChargeBuild;
}

/** GradingEnv.limitsFor over a policy and the runner's languages. */
export function limitResolver(policy: LimitPolicy, languages: Map<string, LanguageDefinition>): GradingEnv["limitsFor"] {
  return (name, ...overrides) => {
    const language = languages.get(name);
    if (!language) throw new Error(`this runner does not offer ${name}`);
    return resolveLimits(policy, language.limits, Object.assign({}, ...overrides.filter(Boolean)));
  };
}

/** The GradingEnv of one grading attempt, over the runner's sandbox driver. */
export function sandboxGradingEnv(opts: SandboxEnvOptions): GradingEnv {
  const languageOf = (name: string) => {
    const language = opts.languages.get(name);
    if (!language) throw new Error(`this runner does not offer ${name}`);
    return language;
  };
  const limitsFor = limitResolver(opts.policy, opts.languages);

  const execute = (language: LanguageDefinition, program: Omit<GradingProgram, "language">, build?: Buffer) =>
    withRunSignal(opts.signal, (signal) =>
      executeProgram(
        opts.driver,
        language,
        { files: program.files, stdin: program.stdin ?? "", args: program.args ?? [], build },
        program.limits,
        opts.diskMb,
        { signal, onHandle: opts.onHandle },
      ),
    );

  return {
    driver: opts.driver,
    languages: opts.languages,
    diskMb: opts.diskMb,
    policy: opts.policy,
    signal: opts.signal,
    log: opts.log,
    limitsFor,

    async build(name: string, files: GradingFile[], limits?: RunLimits): Promise<BuildResult> {
      const language = languageOf(name);
      if (!language.compile) return { ok: true, tar: null };
      const cached = await opts.compileCache?.cachedBuild(language, files);
      if (cached) return { ok: true, tar: cached.tar };
      // The student's compile gets the run's memory and processes; packing may print up to the output maximum.
      const base = limits ?? limitsFor(name);
      const packLimits: RunLimits = {
        ...base,
        outputKb: opts.policy.maximum.outputKb,
        wallTimeMs: Math.min(Math.max(base.wallTimeMs, 10_000), opts.policy.maximum.wallTimeMs),
      };
      opts.onSandbox?.("build");
      const result = await execute(packingLanguage(language), { files, limits: packLimits });
      if (result.status === "cancelled") throw new GradingCancelledError();
      const compileOutput = result.compileOutput ?? "";
      if (result.status === "compile_error") return { ok: false, output: compileOutput };
      if (result.status === "time_limit_exceeded" && result.bytes.stdout.length === 0)
        return { ok: false, output: `${compileOutput}\n[the compiler did not finish within ${language.compileSeconds} s]\n` };
      if (result.status === "memory_limit_exceeded")
        return { ok: false, output: `${compileOutput}\n[the compiler ran out of memory (${base.memoryMb} MiB)]\n` };
      if (result.status === "output_limit_exceeded")
        return { ok: false, output: `${compileOutput}\n[the compiled program is larger than ${opts.policy.maximum.outputKb} KiB]\n` };
      if (result.status !== "succeeded") {
        // The compiler said yes but the artifacts could not be packed: the sandbox's fault, tried again.
        throw new SandboxInfrastructureError(`packing the build failed (${result.status}): ${result.stderr.slice(0, 500)}`);
      }
      // This build was made as the cache makes its own: a fresh sandbox given only these files, packing with tar.
      opts.compileCache?.store(language, files, { tar: result.bytes.stdout, compileOutput: result.bytes.compileOutput ?? Buffer.alloc(0) }, opts.chargeBuild);
      return { ok: true, tar: result.bytes.stdout };
    },

    async run(program: GradingProgram): Promise<ProgramResult> {
      const language = languageOf(program.language);
      opts.onSandbox?.("run");
      if (program.build) {
        const result = await execute(unpackingLanguage(language, program.command), program, program.build);
        // The unpack step is ours: a failure there is the sandbox's, not the student's.
        if (result.status === "compile_error") throw new SandboxInfrastructureError(`unpacking the build failed: ${result.compileOutput?.slice(0, 500) ?? ""}`);
        return { ...result, compileOutput: null, bytes: { ...result.bytes, compileOutput: null } };
      }
      return execute(commandLanguage(language, program.command), program);
    },
  };
}

/**
 * Each run listens on a signal of its own, tied to the grading's for as long
 * as the run lasts: a grading's many runs would otherwise each leave a
 * listener on the one signal of the whole grading.
 */
async function withRunSignal<T>(grading: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const run = new AbortController();
  const forward = () => run.abort(grading.reason);
  if (grading.aborted) forward();
  else grading.addEventListener("abort", forward, { once: true });
  try {
    return await work(run.signal);
  } finally {
    grading.removeEventListener("abort", forward);
  }
}
