import { expect, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

/**
 * Attack F6: a program that used up its CPU limit in a container started
 * ahead of demand (a warm one, oci driver) ended `failed`/SIGKILL, because the
 * launcher set RLIMIT_CPU's soft and hard limits alike there, so the kernel
 * killed at the limit instead of sending SIGXCPU. Cold and warm containers
 * must agree: soft = the limit, hard = a second more, time_limit_exceeded.
 * A limits set's first run starts cold; the runs after it (once the driver has
 * refilled its pool while idle) take warm containers.
 */
const pause = () => new Promise((resolve) => setTimeout(resolve, 1500));

attackSuite("CPU limit in cold and warm containers", ({ driver, kind }) => {
  it("RLIMIT_CPU is (limit, limit + 1 s) in every run, cold or warm", async () => {
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await runProgram(driver(), "bash", 'echo "$(ulimit -St) $(ulimit -Ht) $([ -d /sam/in/env ] && echo warm || echo cold)"', {
        limits: { cpuTimeMs: 2000 },
      });
      seen.push(result.stdout.trim());
      await pause();
    }
    for (const line of seen) expect(line).toMatch(/^2 3 (warm|cold)$/);
    // The oci and bwrap drivers keep warm sandboxes: the later runs took one.
    if (kind !== "docker") expect(seen.slice(1).some((l) => l.endsWith("warm"))).toBe(true);
  });

  it("a spin past the CPU limit ends time_limit_exceeded, cold and warm", async () => {
    const statuses: string[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await runProgram(driver(), "python", "while True: pass", { limits: { cpuTimeMs: 1000, wallTimeMs: 20_000, processes: 20 } });
      statuses.push(`${result.status} ${result.signal}`);
      await pause();
    }
    for (const s of statuses) expect(s).toMatch(/^time_limit_exceeded /);
  });

  it("a program that ignores SIGXCPU is killed at the hard limit: still time_limit_exceeded", async () => {
    const source = "import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\nwhile True: pass";
    const result = await runProgram(driver(), "python", source, { limits: { cpuTimeMs: 1000, wallTimeMs: 20_000, processes: 21 } });
    expect(result.status).toBe("time_limit_exceeded");
  });
});
