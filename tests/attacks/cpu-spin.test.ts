import { expect, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

attackSuite("CPU spin", ({ driver }) => {
  it("one spinning process is ended as time_limit_exceeded", async () => {
    const result = await runProgram(driver(), "python", "while True: pass", { limits: { cpuTimeMs: 1000, wallTimeMs: 10000 } });
    expect(result.status).toBe("time_limit_exceeded");
  });

  it("spinning in many processes cannot escape the CPU limit (counted across the cgroup)", async () => {
    const result = await runProgram(driver(), "bash", "for i in 1 2 3 4 5 6; do (while :; do :; done) & done; wait", {
      limits: { cpuTimeMs: 1500, wallTimeMs: 10000 },
    });
    expect(result.status).toBe("time_limit_exceeded");
  });
});
