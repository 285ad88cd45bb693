import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

attackSuite("kill -9 -1", ({ driver }) => {
  it("kills only the sandbox's own processes", async () => {
    const name = `sam-sentinel-${randomBytes(4).toString("hex")}`;
    const sentinel = spawn("bash", ["-c", `exec -a ${name} sleep 60`], { stdio: "ignore" });
    try {
      const result = await runProgram(driver(), "bash", "sleep 0.2; kill -9 -1; echo survived");
      expect(["failed", "succeeded"]).toContain(result.status);
      expect(sentinel.exitCode).toBeNull();
      expect(sentinel.signalCode).toBeNull();
      const next = await runProgram(driver(), "python", "print('next run fine')");
      expect(next.stdout).toBe("next run fine\n");
    } finally {
      sentinel.kill("SIGKILL");
    }
  });
});
