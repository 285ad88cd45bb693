import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_POLICY, resolveLimits } from "../../lib/executions/limits";
import { executeProgram } from "../../runner/execution/execute";
import { Watchdog } from "../../runner/queue/watchdog";
import type { SandboxDriver } from "../../runner/sandbox/driver";
import { hostProcessesWith } from "../support/attack-suite";
import { DRIVERS, language, openDriver } from "../support/drivers";

/**
 * The watchdog against the real drivers: a run it ends (here because its
 * budget is set below the run's own wall time) is killed for real, container,
 * processes and all, and ends time_limit_exceeded with what it printed.
 */
describe.each(DRIVERS)("runner watchdog (%s driver)", (kind) => {
  let driver: SandboxDriver;
  beforeAll(async () => {
    driver = await openDriver(kind);
  });
  afterAll(async () => {
    await driver?.close();
  });

  it("ends a sleeping run in time, kills it and reports what it printed", async () => {
    const token = `sam-dog-${Math.random().toString(36).slice(2, 10)}`;
    const bash = language("bash");
    const limits = resolveLimits(DEFAULT_POLICY, bash.limits, { wallTimeMs: DEFAULT_POLICY.maximum.wallTimeMs });
    const watchdog = new Watchdog({ graceMs: 0, log: pino({ level: "silent" }) });
    const gaveUp: string[] = [];
    const result = await watchdog.guard({ executionId: token, budgetMs: 10_000, giveUp: async (r) => gaveUp.push(r) }, (signal) =>
      executeProgram(
        driver,
        bash,
        { files: [{ name: bash.entryFile, content: `echo before; exec -a ${token} sleep infinity` }], stdin: "", args: [] },
        limits,
        DEFAULT_POLICY.diskMb,
        { signal },
      ),
    );
    expect(result).toMatchObject({ status: "time_limit_exceeded", stdout: "before\n" });
    expect(result.wallTimeMs).toBeLessThan(limits.wallTimeMs);
    expect(gaveUp).toEqual([]);
    expect(hostProcessesWith(token)).toEqual([]);
  });
});
