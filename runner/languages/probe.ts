import type { Logger } from "pino";
import type { LimitPolicy } from "../../lib/executions/limits";
import { resolveLimits } from "../../lib/executions/limits";
import type { Runtime } from "../../lib/executions/runtimes";
import { executeProgram } from "../execution/execute";
import type { SandboxDriver } from "../sandbox/driver";
import type { LanguageDefinition } from "./catalogue";

/**
 * At start the runner runs each language's test program in a real sandbox and
 * asks it for its version. Only languages whose test prints what it should are
 * offered; the others are logged with what went wrong.
 */
export async function probeLanguages(
  driver: SandboxDriver,
  languages: LanguageDefinition[],
  policy: LimitPolicy,
  log: Logger,
): Promise<Array<{ definition: LanguageDefinition; runtime: Runtime }>> {
  const accepted: Array<{ definition: LanguageDefinition; runtime: Runtime }> = [];
  for (const definition of languages) {
    const limits = resolveLimits(policy, definition.limits, { wallTimeMs: Math.max(policy.defaults.wallTimeMs, 30_000) });
    try {
      const test = await executeProgram(driver, definition, { files: definition.test.files, stdin: "", args: [] }, limits, policy.diskMb);
      if (test.status !== "succeeded" || test.stdout.trim() !== definition.test.expect) {
        log.error(
          {
            language: definition.language,
            status: test.status,
            stdout: test.stdout.slice(0, 200),
            stderr: test.stderr.slice(0, 500),
            compileOutput: test.compileOutput?.slice(0, 500),
          },
          `${definition.language}: the test program did not print ${definition.test.expect}; the language is not offered`,
        );
        continue;
      }
      const version = await executeProgram(
        driver,
        { ...definition, compile: undefined, run: definition.version },
        { files: definition.test.files, stdin: "", args: [] },
        limits,
        policy.diskMb,
      );
      accepted.push({
        definition,
        runtime: {
          language: definition.language,
          version: version.stdout.trim().split("\n")[0] || "unknown",
          aliases: definition.aliases,
          limits: definition.limits,
          template: definition.template,
          entryFile: definition.entryFile,
        },
      });
    } catch (err) {
      log.error({ language: definition.language, err: (err as Error).message }, `${definition.language}: could not run its test program`);
    }
  }
  return accepted;
}
