import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_POLICY, resolveLimits } from "../../lib/executions/limits";
import { executeProgram } from "../../runner/execution/execute";
import type { SandboxDriver, SandboxHandle, SandboxOutcome } from "../../runner/sandbox/driver";
import { DRIVERS, language, openDriver } from "../support/drivers";

/**
 * The daemonless drivers' sandboxes started ahead of demand (oci's warm
 * containers, bwrap's warm sandboxes), and the stages each reports for a run.
 * Replacements start as soon as a run ends while fewer runs than cores are
 * active (they used to wait for the runner to be idle for 50 ms, so runs
 * coming back to back all started cold).
 */
const DAEMONLESS = DRIVERS.filter((d) => d.startsWith("oci/") || d === "bwrap");
const WARM_OR_COLD = 'echo "$([ -d /sam/in/env ] && echo warm || echo cold)"';

describe.each(DAEMONLESS)("warm sandboxes and stages: %s", (kind) => {
  let driver: SandboxDriver;
  beforeAll(async () => {
    driver = await openDriver(kind);
  });
  afterAll(async () => {
    await driver?.close();
  });

  async function run(source: string): Promise<{ stdout: string; outcome: SandboxOutcome }> {
    const bash = language("bash");
    let handle: SandboxHandle | undefined;
    const result = await executeProgram(
      driver,
      bash,
      { files: [{ name: bash.entryFile, content: source }], stdin: "", args: [] },
      resolveLimits(DEFAULT_POLICY, bash.limits),
      64,
      {
        onHandle: (h) => (handle = h),
      },
    );
    expect(result.status).toBe("succeeded");
    return { stdout: result.stdout, outcome: await handle!.done };
  }

  it("runs coming back to back, with no pause between them, take warm sandboxes", async () => {
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) seen.push((await run(WARM_OR_COLD)).stdout.trim());
    expect(seen[0]).toBe("cold");
    expect(seen.slice(1)).toEqual(["warm", "warm", "warm", "warm"]);
  });

  it("says where each run's time went: prepare, start, program, collect, cold and warm", async () => {
    for (const { outcome } of [await run("echo hi"), await run("echo hi")]) {
      expect(outcome.stages?.map((s) => s.stage)).toEqual(["prepare", "start", "program", "collect"]);
      for (const { ms } of outcome.stages!) expect(Number.isFinite(ms) && ms >= 0).toBe(true);
    }
  });
});
