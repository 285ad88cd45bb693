import { execFile } from "node:child_process";
import fs from "node:fs";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { SandboxDriver } from "../../runner/sandbox/driver";
import { readSubidEntries } from "../../runner/sandbox/oci/uid-ranges";
import { openDriver, runProgram } from "../support/drivers";

/**
 * Several Podman services on one store, each creating, running and removing
 * containers at once while podman commands run beside them: what several
 * runners on one machine (or two test workers) do. With UsernsMode "auto"
 * Podman 4.3 deadlocked here for good within seconds (see PODMAN_USERNS in
 * runner/sandbox/docker/create-options.ts): every run must now finish, each in
 * a user namespace of its own drawn from the `containers` range.
 */
const ENGINES = 3;
const AT_ONCE = 3;
const ROUNDS = 3;
/** Far more than the runs need even on a loaded machine; a deadlock never ends. */
const DEADLINE_MS = 240_000;
const run = promisify(execFile);

describe("docker driver: several Podman services on one store at once", () => {
  const drivers: SandboxDriver[] = [];
  beforeAll(async () => {
    for (let i = 0; i < ENGINES; i++) drivers.push(await openDriver("docker"));
  });
  afterAll(async () => {
    await Promise.all(drivers.map((d) => d.close()));
  });

  it("runs every program to its end, each in a user namespace of its own", { timeout: DEADLINE_MS + 60_000 }, async () => {
    const range = readSubidEntries(["/etc/subuid"]).find((e) => e.line.startsWith("containers:"));
    expect(range, "a containers: line in /etc/subuid (npm test adds it)").toBeDefined();

    // Each podman command touches storage.lock as it exits, as conmon's `podman container cleanup` does after every container.
    let busy = true;
    const commands = (async () => {
      let count = 0;
      while (busy) {
        await run("podman", ["image", "inspect", "--format", "{{.Id}}", inject("imageTag")], { timeout: DEADLINE_MS });
        count++;
      }
      return count;
    })();
    // Settled whatever happens (a deadlock would hang it too, until its timeout).
    const commandsDone = commands.then(
      (count): { count: number; error?: string } => ({ count }),
      (err: Error) => ({ count: 0, error: err.message }),
    );

    const program = "id -u; cat /proc/self/uid_map; sleep 0.2";
    const runs = drivers.flatMap((driver) =>
      Array.from({ length: AT_ONCE }, async () => {
        const results = [];
        for (let round = 0; round < ROUNDS; round++) results.push(await runProgram(driver, "bash", program));
        return results;
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`runs still not finished after ${DEADLINE_MS / 1000} s; POSIX locks held and awaited:\n${fs.readFileSync("/proc/locks", "utf8")}`));
      }, DEADLINE_MS);
    });
    try {
      const results = (await Promise.race([Promise.all(runs), stuck])).flat();
      expect(results).toHaveLength(ENGINES * AT_ONCE * ROUNDS);
      for (const result of results) {
        expect(result.status, result.stderr).toBe("succeeded");
        const [uid, map, ...rest] = result.stdout.trim().split("\n");
        expect(uid).toBe("1000");
        expect(rest).toEqual([]);
        // One mapping: container ids 0..65535 onto 65536 host ids of the containers range.
        const [inside, host, size] = map!.trim().split(/\s+/).map(Number);
        expect([inside, size]).toEqual([0, 65536]);
        expect(host).toBeGreaterThanOrEqual(range!.start);
        expect(host! + size!).toBeLessThanOrEqual(range!.start + range!.count);
      }
    } finally {
      clearTimeout(timer);
      busy = false;
    }
    const beside = await commandsDone;
    expect(beside.error).toBeUndefined();
    expect(beside.count).toBeGreaterThan(0);
  });
});
