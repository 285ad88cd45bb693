import { testSchema } from "../../lib/classroom/tests/spec";
import type { GradedTestInput } from "../../runner/grading/grade";
import pino from "pino";
import { DEFAULT_POLICY } from "../../lib/executions/limits";
import type { GradingEnv } from "../../runner/grading/env";
import { sandboxGradingEnv } from "../../runner/grading/sandbox-env";
import type { SandboxDriver } from "../../runner/sandbox/driver";
import { allLanguages } from "./drivers";

/**
 * The grader's environment (runner/grading/sandbox-env.ts) over a real
 * sandbox driver, with every language of the catalogue and the default limit
 * policy, counting the sandboxes it starts (a build is counted as "build").
 */
export function judgeEnv(driver: SandboxDriver): { env: GradingEnv; sandboxes: { build: number; run: number } } {
  const sandboxes = { build: 0, run: 0 };
  const env = sandboxGradingEnv({
    driver,
    languages: new Map(allLanguages().map((l) => [l.language, l])),
    diskMb: DEFAULT_POLICY.diskMb,
    policy: DEFAULT_POLICY,
    signal: new AbortController().signal,
    log: pino({ level: "silent" }),
    onSandbox: (kind) => sandboxes[kind]++,
  });
  return { env, sandboxes };
}

/** A visible test worth 1 point at `position`, from its raw definition (kind and fields), as gradeFiles takes it. */
export function gradedTest(position: number, raw: object): GradedTestInput {
  const definition = testSchema.parse({ name: `t${position}`, points: 1, ...raw });
  return {
    id: `00000000-0000-0000-0000-0000000000${String(position).padStart(2, "0")}`,
    position,
    name: definition.name,
    points: 1,
    visibility: "visible",
    definition,
  };
}
