import { randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

attackSuite("leftovers between runs", ({ driver }) => {
  it("nothing one run writes is seen by the next, and two runs at once do not see each other", async () => {
    const token = randomBytes(8).toString("hex");
    await runProgram(driver(), "bash", `for d in /work /tmp /dev/shm; do echo ${token} > $d/left-${token}; done; echo done`);
    const [second, third] = await Promise.all([
      runProgram(driver(), "bash", `sleep 1; grep -rl ${token} /work /tmp /dev/shm 2>/dev/null; ls /tmp /dev/shm; echo end`),
      runProgram(driver(), "bash", `echo ${token}-concurrent > /tmp/mine; sleep 1; cat /tmp/mine`),
    ]);
    expect(second.stdout).not.toContain(token);
    expect(third.stdout).toBe(`${token}-concurrent\n`);
  });
});
