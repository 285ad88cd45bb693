import { expect, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

/**
 * /dev is not the program's to write: only /dev/shm (a tmpfs of the run's
 * disk size) and /dev/mqueue (bounded by RLIMIT_MSGQUEUE) take its files.
 * bwrap's --dev makes /dev a tmpfs owned by the sandbox's own user and of no
 * size limit, so without a read-only remount a program there filled it past
 * the run's disk size (a file at a time under RLIMIT_FSIZE) and replaced the
 * /dev/stdout and /dev/fd links the tools it runs rely on.
 */
const program = [
  "for i in 1 2 3; do head -c 33554432 /dev/zero > /dev/fill$i 2>/dev/null; done",
  'echo "dev-mb=$(( $(cat /dev/fill* 2>/dev/null | wc -c) / 1048576 ))"',
  "touch /dev/planted 2>/dev/null && echo planted",
  "ln -sf /etc/passwd /dev/stdout 2>/dev/null && echo relinked",
  "mkdir /dev/dir 2>/dev/null && echo made-dir",
  "chmod 0777 /dev 2>/dev/null && echo chmodded",
  "echo shm > /dev/shm/t && cat /dev/shm/t",
  "echo hello > /dev/null && echo null-ok",
].join("\n");

attackSuite("writes into /dev", ({ driver }) => {
  it("a program cannot create, fill or relink anything in /dev; /dev/shm and /dev/null still work", async () => {
    const result = await runProgram(driver(), "bash", program, { limits: { memoryMb: 512 } });
    expect(result.status).toBe("succeeded");
    expect(result.stdout).toContain("dev-mb=0\n");
    expect(result.stdout).not.toMatch(/planted|relinked|made-dir|chmodded/);
    expect(result.stdout).toContain("shm\nnull-ok\n");
  });
});
