import fs from "node:fs";
import { expect, it } from "vitest";
import { MASKED_PATHS } from "../../runner/sandbox/masked-paths";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

/**
 * Kernel files that leak what the host and other tenants do (RAPL energy
 * counters under /sys/devices/virtual/powercap, /proc/interrupts, timers,
 * firmware tables, block devices) read as empty inside a run. Checked for
 * every masked path this host has; the list itself (powercap included, where
 * a host lacks it) is checked in tests/sandbox/container-config.test.ts.
 */
const present = MASKED_PATHS.filter((p) => fs.existsSync(p));

attackSuite("reading masked kernel interfaces", ({ driver }) => {
  it("every masked path this host has reads as empty inside the sandbox", async () => {
    expect(present.length).toBeGreaterThan(0);
    const source = present
      .map((p) => `if [ -d '${p}' ]; then echo "${p} $(ls -A '${p}' 2>/dev/null | wc -l)"; else echo "${p} $(head -c 4096 '${p}' 2>/dev/null | wc -c)"; fi`)
      .join("\n");
    const result = await runProgram(driver(), "bash", source);
    expect(result.status).toBe("succeeded");
    expect(result.stdout).toBe(present.map((p) => `${p} 0\n`).join(""));
  });
});
