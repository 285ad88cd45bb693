import { expect, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

attackSuite("memory bomb", ({ driver }) => {
  it("growing the heap past the limit is memory_limit_exceeded", async () => {
    const result = await runProgram(driver(), "python", "blocks = []\nwhile True: blocks.append(bytearray(16 * 1024 * 1024))", { limits: { memoryMb: 128 } });
    expect(result.status).toBe("memory_limit_exceeded");
    expect(result.memoryKb).toBeLessThanOrEqual(128 * 1024 + 1024);
  });

  it("filling RAM-backed tmpfs counts against the same limit", async () => {
    const result = await runProgram(
      driver(),
      "bash",
      "for i in $(seq 1 40); do head -c 8388608 /dev/zero > /dev/shm/f$i || break; head -c 8388608 /dev/zero > /tmp/f$i || break; done; echo done",
      { limits: { memoryMb: 96 } },
    );
    expect(["memory_limit_exceeded", "succeeded", "failed"]).toContain(result.status);
    expect(result.memoryKb).toBeLessThanOrEqual(96 * 1024 + 1024);
  });
});
