import { expect, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

attackSuite("sleeping past the wall-time limit", ({ driver }) => {
  it("is killed as time_limit_exceeded though it uses no CPU", async () => {
    const result = await runProgram(driver(), "bash", "sleep 1000", { limits: { wallTimeMs: 1500 } });
    expect(result.status).toBe("time_limit_exceeded");
    expect(result.signal).toBe("SIGKILL");
  });

  it("blocking on stdin that never ends is the same", async () => {
    const result = await runProgram(driver(), "python", "import time\nwhile True: time.sleep(1)", { limits: { wallTimeMs: 1500 } });
    expect(result.status).toBe("time_limit_exceeded");
  });
});
