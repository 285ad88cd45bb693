import type { Logger } from "pino";
import { type LimitPolicy, type RunLimits, resolveLimits } from "../../lib/executions/limits";
import { executeProgram, type ProgramResult } from "../execution/execute";
import type { LanguageDefinition } from "../languages/catalogue";
import { SandboxInfrastructureError, type SandboxDriver } from "../sandbox/driver";
import { commandLanguage, packingLanguage, unpackingLanguage } from "./build";
import type { BuildResult, GradingEnv, GradingFile, GradingProgram } from "./env";

export interface SandboxEnvOptions {
  driver: SandboxDriver;
  languages: Map<string, LanguageDefinition>;
  diskMb: number;
  policy: LimitPolicy;
  signal: AbortSignal;
  log: Logger;
  /** Called as each sandbox starts (metrics, counting in tests). */
  onSandbox?(kind: "build" | "run"): void;
}

/** The GradingEnv of one grading attempt, over the runner's sandbox driver. */
export function sandboxGradingEnv(opts: SandboxEnvOptions): GradingEnv {
  const languageOf = (name: string) => {
    const language = opts.languages.get(name);
    if (!language) throw new Error(`this runner does not offer ${name}`);
    return language;
  };
  const limitsFor = (language: string, ...overrides: Array<Partial<RunLimits> | undefined>) =>
    resolveLimits(opts.policy, languageOf(language).limits, Object.assign({}, ...overrides.filter(Boolean)));

  const execute = (language: LanguageDefinition, program: Omit<GradingProgram, "language">, build?: Buffer) =>
    executeProgram(opts.driver, language, { files: program.files, stdin: program.stdin ?? "", args: program.args ?? [], build }, program.limits, opts.diskMb, {
      signal: opts.signal,
    });

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
      // The student's compile gets the run's memory and processes; packing may print up to the output maximum.
      const base = limits ?? limitsFor(name);
      const packLimits: RunLimits = {
        ...base,
        outputKb: opts.policy.maximum.outputKb,
        wallTimeMs: Math.min(Math.max(base.wallTimeMs, 10_000), opts.policy.maximum.wallTimeMs),
      };
      opts.onSandbox?.("build");
      const result = await execute(packingLanguage(language), { files, limits: packLimits });
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
