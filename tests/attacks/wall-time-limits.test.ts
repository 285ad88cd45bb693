import { expect, it } from "vitest";
import { DEFAULT_POLICY, MINIMUM_LIMITS, resolveLimits, type RunLimits } from "../../lib/executions/limits";
import { executeProgram } from "../../runner/execution/execute";
import type { SandboxDriver } from "../../runner/sandbox/driver";
import { attackSuite, hostProcessesWith } from "../support/attack-suite";
import { language } from "../support/drivers";

/**
 * A sleeping program ends time_limit_exceeded whatever limits it asked for:
 * issue #9 item 1 found that an unusual set (so no container was started ahead
 * for it) with a tiny wall time let `sleep infinity` run for ever, because the
 * kill came while the container was still being created and was lost. Each
 * set runs twice (the first run of a set starts its container cold; the oci
 * driver then starts containers ahead for it, which the second one takes),
 * with the program's stdin closed and held open (a room's interactive run).
 */
const SETS: Record<string, Partial<RunLimits>> = {
  // The API refuses less than MINIMUM_LIMITS; a driver must still hold with anything.
  "the reported set exactly (1 ms wall time, 251 MiB)": { wallTimeMs: 1, memoryMb: 251 },
  "the reported set at the API's minimum wall time": { wallTimeMs: MINIMUM_LIMITS.wallTimeMs, memoryMb: 251 },
  "every limit at its minimum": { ...MINIMUM_LIMITS },
  "every limit at its maximum (but a short wall time)": { ...DEFAULT_POLICY.maximum, wallTimeMs: 1500 },
  "odd values": { cpuTimeMs: 137, wallTimeMs: 777, memoryMb: 33, processes: 17, outputKb: 3 },
};

function sleeper(driver: SandboxDriver, requested: Partial<RunLimits>, interactive: boolean, content = "read -r line; sleep infinity") {
  const bash = language("bash");
  return executeProgram(
    driver,
    bash,
    { files: [{ name: bash.entryFile, content }], stdin: "", args: [], interactive },
    resolveLimits(DEFAULT_POLICY, bash.limits, requested),
    DEFAULT_POLICY.diskMb,
  );
}

attackSuite("sleeping past the wall time, whatever the limits", ({ driver }) => {
  it.each(Object.entries(SETS))("%s: cold and warm, interactive or not, every run ends time_limit_exceeded", async (_name, requested) => {
    for (const interactive of [false, true]) {
      for (const round of ["cold", "warm"]) {
        const result = await sleeper(driver(), requested, interactive);
        expect({ interactive, round, status: result.status, signal: result.signal }).toEqual({
          interactive,
          round,
          status: "time_limit_exceeded",
          signal: "SIGKILL",
        });
        expect(result.wallTimeMs).toBeGreaterThanOrEqual((requested.wallTimeMs ?? DEFAULT_POLICY.defaults.wallTimeMs) - 1);
        // Time for the driver to start containers ahead for this set, which the next round then takes.
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  });

  it("at the minimum limits the sandbox itself fits: a program runs, cold and warm", async () => {
    for (const round of ["cold", "warm"]) {
      const limits = { ...MINIMUM_LIMITS, wallTimeMs: 10_000 };
      const python = language("python");
      const result = await executeProgram(
        driver(),
        python,
        { files: [{ name: python.entryFile, content: "print('fits')" }], stdin: "", args: [] },
        limits,
        DEFAULT_POLICY.diskMb,
      );
      expect({ round, status: result.status, stdout: result.stdout }).toEqual({ round, status: "succeeded", stdout: "fits\n" });
      await new Promise((r) => setTimeout(r, 300));
    }
  });

  it("a kill that comes while the container is still being created is not lost, and nothing of the run is left", async () => {
    const token = `sam-kill-${Math.random().toString(36).slice(2, 10)}`;
    const bash = language("bash");
    // A set of limits no other test uses: the container starts cold, and the kill comes right after the runtime was started.
    const limits = resolveLimits(DEFAULT_POLICY, bash.limits, { wallTimeMs: DEFAULT_POLICY.maximum.wallTimeMs, memoryMb: 199 });
    const result = await executeProgram(
      driver(),
      bash,
      { files: [{ name: bash.entryFile, content: `exec -a ${token} sleep infinity` }], stdin: "", args: [] },
      limits,
      DEFAULT_POLICY.diskMb,
      {
        onHandle: (handle) => void handle.kill("requested"),
      },
    );
    expect(result.status).toBe("cancelled");
    // Ended by the kill, not by the wall-time limit long after (a lost kill used to show as this).
    expect(result.wallTimeMs).toBeLessThan(limits.wallTimeMs / 2);
    expect(hostProcessesWith(token)).toEqual([]);
  });
});
