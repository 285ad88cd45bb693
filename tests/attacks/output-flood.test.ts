import { expect, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

attackSuite("output flood", ({ driver }) => {
  it("is killed at the output limit; what is kept is truncated to the limit", async () => {
    const result = await runProgram(driver(), "bash", "yes 'flood flood flood'", { limits: { outputKb: 64 } });
    expect(result.status).toBe("output_limit_exceeded");
    expect(result.truncated).toBe(true);
    expect(Buffer.byteLength(result.stdout) + Buffer.byteLength(result.stderr)).toBeLessThanOrEqual(64 * 1024);
    expect(result.stdout.startsWith("flood flood flood\n")).toBe(true);
  });

  it("stdout and stderr count together: 20 KiB of each passes a 32 KiB limit", async () => {
    const result = await runProgram(
      driver(),
      "python",
      "import sys, time\nsys.stdout.write('o' * 20480)\nsys.stdout.flush()\ntime.sleep(0.3)\nsys.stderr.write('e' * 20480)\ntime.sleep(2)",
      { limits: { outputKb: 32 } },
    );
    expect(result.status).toBe("output_limit_exceeded");
    expect(result.stdout).toBe("o".repeat(20480));
    expect(result.stderr).toBe("e".repeat(32 * 1024 - 20480));
  });
});
