import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_POLICY, resolveLimits } from "../../lib/executions/limits";
import { executeProgram } from "../../runner/execution/execute";
import type { SandboxDriver, SandboxHandle } from "../../runner/sandbox/driver";
import { DRIVERS, language, openDriver } from "../support/drivers";

/**
 * Interactive runs (a room's): input typed while the program runs reaches its
 * stdin, after the run's own stdin, until end-of-file. The oci driver does
 * this; the docker driver gives the run's stdin only, and says so by offering
 * no stdin on its handle. Both are checked, warm and cold containers alike.
 */
const PROGRAM = "import sys\nprint('first:', input(), flush=True)\nprint('rest:', sys.stdin.read().split())";

describe.each(DRIVERS)("interactive input: %s driver", (kind) => {
  let driver: SandboxDriver;
  beforeAll(async () => {
    driver = await openDriver(kind);
  });
  afterAll(async () => {
    await driver?.close();
  });

  for (const round of ["first run (cold container)", "second run (warm container where the driver keeps them)"]) {
    it(`${round}: typed input arrives in order, then end-of-file`, async () => {
      const python = language("python");
      let handle: SandboxHandle | undefined;
      const printed: string[] = [];
      const result = await executeProgram(
        driver,
        python,
        { files: [{ name: "main.py", content: PROGRAM }], stdin: "typed ahead\n", args: [], interactive: true },
        resolveLimits(DEFAULT_POLICY, python.limits, { wallTimeMs: 15_000 }),
        64,
        {
          onHandle: (h) => (handle = h),
          chunk: (channel, bytes) => {
            const text = bytes.toString("utf8");
            if (channel !== "stdout") return;
            printed.push(text);
            // Once the program has answered the first line, type the rest while it runs.
            if (printed.join("").includes("first:") && handle?.stdin) {
              handle.stdin.write("two three\n");
              handle.stdin.write("four\n");
              handle.stdin.end();
            }
          },
        },
      );
      expect(result.status).toBe("succeeded");
      expect(result.stdout).toBe("first: typed ahead\nrest: ['two', 'three', 'four']\n");
    });
  }
});
