import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { killCgroup } from "../../runner/sandbox/oci/cgroup-kill";
import { createRunCgroup, removeCgroupTree } from "../../runner/sandbox/oci/run-cgroup";
import { blocksInUse, runCgroupName } from "../../runner/sandbox/oci/run-registry";
import { DEFAULT_UID_BASE, DEFAULT_UID_RANGES, IDS_PER_RANGE, readSubidEntries, UidRangeAllocator } from "../../runner/sandbox/oci/uid-ranges";

/**
 * Host id blocks for oci containers, shared by every runner process on the
 * machine. These use blocks far above the configured default so they never
 * take one from the drivers other test files run at the same time.
 */
const TEST_BASE = 0xf0000000;
const ROOT = path.resolve(import.meta.dirname, "../..");

/** A separate process that takes `count` blocks from `base`, says how it went, and holds them until killed. */
function holder(base: number, count: number) {
  const code = `import { UidRangeAllocator } from "./runner/sandbox/oci/uid-ranges.ts";
const a = new UidRangeAllocator(${base}, ${count}, []);
const got = [];
for (let i = 0; i < ${count}; i++) got.push((await a.allocate()).hostId);
console.log(JSON.stringify(got));
setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", code], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  const held = new Promise<number[]>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c;
      if (out.includes("\n")) resolve(JSON.parse(out) as number[]);
    });
    child.once("exit", (code) => reject(new Error(`holder exited (${code}) before allocating`)));
  });
  const killed = new Promise((r) => child.once("exit", r));
  return { held, kill: () => (child.kill("SIGKILL"), killed) };
}

describe("host uid ranges", () => {
  it("live containers get different blocks, and a released block is handed out again", async () => {
    const allocator = new UidRangeAllocator(TEST_BASE, 3, []);
    const ranges = await Promise.all([allocator.allocate(), allocator.allocate(), allocator.allocate()]);
    expect(new Set(ranges.map((r) => r.hostId)).size).toBe(3);
    for (const r of ranges) {
      expect(r.size).toBe(IDS_PER_RANGE);
      expect((r.hostId - TEST_BASE) % IDS_PER_RANGE).toBe(0);
    }
    await expect(allocator.allocate()).rejects.toThrow(/all 3 host uid ranges are held.*SAM_OCI_UID_RANGES/);
    ranges[1]!.release();
    await new Promise((r) => setImmediate(r));
    expect((await allocator.allocate()).hostId).toBe(ranges[1]!.hostId);
    for (const r of ranges) r.release();
  });

  it("another runner process never gets a block this one holds, and a killed one's blocks come back", async () => {
    const base = TEST_BASE + 8 * IDS_PER_RANGE;
    const other = holder(base, 2);
    const theirs = await other.held;
    expect(theirs.sort()).toEqual([base, base + IDS_PER_RANGE]);
    const mine = new UidRangeAllocator(base, 2, []);
    await expect(mine.allocate()).rejects.toThrow(/all 2 host uid ranges are held/);
    // Killed without a chance to clean up, as a crashed runner: the kernel gives its blocks back.
    await other.kill();
    const again = await mine.allocate();
    expect(theirs).toContain(again.hostId);
    again.release();
  });

  it("a dead runner's block stays taken while a run cgroup that names it exists (its container may still run)", async () => {
    const base = TEST_BASE + 16 * IDS_PER_RANGE;
    const block = base / IDS_PER_RANGE;
    // A register of its own (not /sam): other test files' drivers never see this one.
    const top = `/sam-test-uids-${randomBytes(4).toString("hex")}`;
    const run = `${top}/dead-runner/${runCgroupName(block, Date.now() + 60_000, "0rphan")}`;
    const other = holder(base, 1);
    expect(await other.held).toEqual([base]);
    // Its container: the run's cgroup, with a process in it that outlives the runner.
    createRunCgroup(run, { memoryBytes: 64 * 1024 * 1024, processes: 8, cpuCores: 1 });
    const orphan = spawn("sleep", ["1000"], { stdio: "ignore" });
    try {
      fs.writeFileSync(path.join("/sys/fs/cgroup/pids", run, "cgroup.procs"), String(orphan.pid));
      await other.kill();
      const mine = new UidRangeAllocator(base, 1, [], () => blocksInUse(undefined, top));
      await expect(mine.allocate()).rejects.toThrow(/all 1 host uid ranges are held by live containers/);
      // The orphan is ended and its cgroup removed (a sweep, see run-registry.ts): the block is free.
      await killCgroup(run);
      await removeCgroupTree(run);
      const again = await mine.allocate();
      expect(again.hostId).toBe(base);
      again.release();
    } finally {
      orphan.kill("SIGKILL");
      await removeCgroupTree(top).catch(() => undefined);
    }
  });

  it("looks at the register again once it holds a block's socket", async () => {
    const base = TEST_BASE + 24 * IDS_PER_RANGE;
    // Free when first looked at; named by a run cgroup by the time the socket is ours (its runner died in between).
    const looks: Array<Set<number>> = [new Set(), new Set([base / IDS_PER_RANGE])];
    const allocator = new UidRangeAllocator(base, 1, [], () => looks.shift() ?? new Set([base / IDS_PER_RANGE]));
    await expect(allocator.allocate()).rejects.toThrow(/all 1 host uid ranges are held/);
    expect(looks).toEqual([]);
  });

  it("refuses blocks that overlap an /etc/subuid or /etc/subgid entry, naming it", () => {
    const entries = [{ file: "/etc/subuid", line: "alice:1879113828:65536", start: 1879113828, count: 65536 }];
    expect(() => new UidRangeAllocator(0x70000000, 1024, entries)).toThrow(/overlap "alice:1879113828:65536" in \/etc\/subuid.*SAM_OCI_UID_BASE/);
    expect(() => new UidRangeAllocator(0x70000000, 1, entries)).not.toThrow();
  });

  it("the defaults do not overlap this machine's /etc/subuid and /etc/subgid, nor reach 2^32 - 1", () => {
    expect(() => new UidRangeAllocator(DEFAULT_UID_BASE, DEFAULT_UID_RANGES)).not.toThrow();
    const end = DEFAULT_UID_BASE + DEFAULT_UID_RANGES * IDS_PER_RANGE;
    expect(readSubidEntries().filter((e) => e.start < end && e.start + e.count > DEFAULT_UID_BASE)).toEqual([]);
    expect(() => new UidRangeAllocator(0xffff0000, 1, [])).toThrow(/must stay below 2\^32 - 1/);
  });
});
