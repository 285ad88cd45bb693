import fs from "node:fs";
import { expect, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

attackSuite("disk fill", ({ driver }) => {
  it("writing without end stops at the size of the writable areas; the host disk is untouched", async () => {
    const before = fs.statfsSync("/").bavail;
    const result = await runProgram(
      driver(),
      "bash",
      'for d in /work /tmp /dev/shm; do head -c 1073741824 /dev/zero > $d/fill 2>/dev/null; echo "$d $(( $(stat -c %s $d/fill) / 1048576 ))"; rm -f $d/fill; done',
      { limits: { memoryMb: 512 } },
    );
    for (const line of result.stdout.trim().split("\n")) {
      const [, mb] = line.split(" ");
      expect(Number(mb)).toBeLessThanOrEqual(64);
    }
    const after = fs.statfsSync("/").bavail;
    const blockSize = fs.statfsSync("/").bsize;
    expect(((before - after) * blockSize) / 1048576).toBeLessThan(200);
  });
});
