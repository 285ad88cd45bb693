import { expect, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

attackSuite("fork bomb", ({ driver }) => {
  it("is stopped by the process limit and the time limit, and the next run works", async () => {
    const bomb = await runProgram(driver(), "bash", "bomb() { bomb | bomb & }; bomb; sleep 30", { limits: { wallTimeMs: 3000 } });
    expect(["time_limit_exceeded", "failed", "succeeded"]).toContain(bomb.status);
    const c = await runProgram(
      driver(),
      "c",
      '#include <unistd.h>\n#include <stdio.h>\nint main(void){ int n = 0; for (int i = 0; i < 1000; i++) { pid_t p = fork(); if (p == 0) { pause(); } else if (p > 0) n++; } printf("%d\\n", n); return 0; }',
      { limits: { processes: 32 } },
    );
    expect(Number(c.stdout.trim())).toBeLessThan(32);
    const after = await runProgram(driver(), "python", "print('alive')");
    expect(after.stdout).toBe("alive\n");
  });
});
