import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { expect, it } from "vitest";
import { readSubidEntries } from "../../runner/sandbox/oci/uid-ranges";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

/**
 * Who a program is on the host. Inside it is uid 1000; on the host it must be
 * nobody real: not uid 1000 (a host user, whose process and inotify quotas it
 * would share), not in a host user's /etc/subuid range (that user's own
 * containers), and not the same uid as a program of another run at the same
 * time (the docker driver's ids come from Podman's own `containers` range,
 * which exists for exactly that). Found from the host with ps, by a random
 * marker in the program's command line.
 */
function hostUidOf(marker: string): number | undefined {
  const ps = spawnSync("ps", ["-eo", "uid=,args="], { encoding: "utf8" }).stdout;
  const line = ps.split("\n").find((l) => l.includes(marker) && !l.includes("ps -eo"));
  return line === undefined ? undefined : Number(line.trim().split(/\s+/)[0]);
}

async function waitForUid(marker: string): Promise<number> {
  for (let i = 0; i < 300; i++) {
    const uid = hostUidOf(marker);
    if (uid !== undefined) return uid;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no host process carries ${marker}`);
}

// Shows its uid map, then sleeps under the marker until the host has looked.
const program = (marker: string) => `cat /proc/self/uid_map; exec -a ${marker} sleep 5`;

attackSuite("host uids of sandboxed programs", ({ driver, kind }) => {
  it("a program has a user namespace and is no host user, nor in a host user's subordinate ids", async () => {
    const marker = `sam-uid-${randomBytes(6).toString("hex")}`;
    const run = runProgram(driver(), "bash", program(marker));
    const uid = await waitForUid(marker);
    const result = await run;
    expect(result.status).toBe("succeeded");
    // Not the identity map ("0 0 4294967295") of the host's namespace.
    const [inside, outside, count] = result.stdout.trim().split(/\s+/).map(Number);
    if (kind === "bwrap") {
      // bwrap maps the program's own id alone, through a namespace of its own (1000 there is 0 in bwrap's, the host id outside).
      expect([inside, count]).toEqual([1000, 1]);
    } else {
      expect(inside).toBe(0);
      expect(outside).toBeGreaterThan(0);
    }
    expect(uid).not.toBe(1000);
    expect(uid).toBeGreaterThanOrEqual(65536);
    const owners = readSubidEntries(["/etc/subuid"]).filter((e) => !(kind === "docker" && e.line.startsWith("containers:")));
    expect(owners.filter((e) => uid >= e.start && uid < e.start + e.count).map((e) => e.line)).toEqual([]);
    // Nor the range useradd hands to a host's users (100000 and up, 65536 each), even where /etc/subuid lists none.
    if (kind !== "docker") expect(uid < 100000 || uid >= 600100000 + 65536).toBe(true);
  });

  it("two programs running at once are different host users", async () => {
    const markers = [1, 2].map(() => `sam-uid-${randomBytes(6).toString("hex")}`);
    const runs = markers.map((m) => runProgram(driver(), "bash", program(m)));
    const uids = await Promise.all(markers.map(waitForUid));
    await Promise.all(runs);
    expect(uids[0]).not.toBe(uids[1]);
    // Different blocks, not merely different ids: a block is 65536 ids (Podman's "auto" sizes its own, at least 1024).
    expect(Math.abs(uids[0]! - uids[1]!)).toBeGreaterThanOrEqual(1024);
  });
});
