import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cgroupPids, killCgroup, type CgroupLayout } from "../../runner/sandbox/oci/cgroup-kill";
import { createRunCgroup, removeCgroupTree } from "../../runner/sandbox/oci/run-cgroup";
import { blocksInUse, endExpiredRuns, listRuns, runCgroupName, setDeadline } from "../../runner/sandbox/oci/run-registry";

/**
 * The machine's register of oci runs, in the cgroup tree (see
 * run-registry.ts), on real cgroups: this host's v1 hierarchies (where the
 * drivers make run cgroups) and the v2 tree mounted beside them. Each test
 * works under a top cgroup of its own, never /sam, so it neither sees nor
 * touches the runs of drivers other test files use at the same time.
 */
const V1: CgroupLayout = { version: 1, root: "/sys/fs/cgroup" };
const V2: CgroupLayout = { version: 2, root: "/sys/fs/cgroup/unified" };
const tops: string[] = [];
const children: ChildProcess[] = [];

function newTop(): string {
  const top = `/sam-test-registry-${randomBytes(4).toString("hex")}`;
  tops.push(top);
  return top;
}

function removeV2(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeV2(path.join(dir, e.name));
  fs.rmdirSync(dir);
}

afterEach(async () => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  for (const top of tops.splice(0)) {
    await killCgroup(top, V1);
    await removeCgroupTree(top).catch(() => undefined);
    removeV2(path.join(V2.root, top));
  }
});

const limits = { memoryBytes: 64 * 1024 * 1024, processes: 16, cpuCores: 1 };

/** A benign host shell moved into a run cgroup (its pids hierarchy), forking a sleep. */
async function shellIn(cgroupPath: string): Promise<ChildProcess> {
  const child = spawn("sh", ["-c", "read go; sleep 1000 & wait"], { stdio: ["pipe", "ignore", "ignore"] });
  children.push(child);
  fs.writeFileSync(path.join(V1.root, "pids", cgroupPath, "cgroup.procs"), String(child.pid));
  child.stdin!.write("go\n");
  const dir = path.join(V1.root, "pids", cgroupPath);
  for (let i = 0; i < 100 && cgroupPids(dir).length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  return child;
}

describe("the register of runs in the cgroup tree", () => {
  it("names a run's block and first deadline; a later mark replaces the deadline", () => {
    const top = newTop();
    const now = Date.now();
    const run = `${top}/data1/${runCgroupName(28700, now + 5000, "0123abcd")}`;
    createRunCgroup(run, limits);
    // Not run cgroups, or older runners' (no block and deadline in the name): never listed.
    createRunCgroup(`${top}/data1/0123456789abcdef`, limits);
    expect(listRuns(V1, top)).toEqual([{ cgroupPath: run, block: 28700, deadline: now + 5000 }]);
    expect([...blocksInUse(V1, top)]).toEqual([28700]);

    setDeadline(run, now + 90_000, V1);
    expect(listRuns(V1, top)[0]!.deadline).toBe(now + 90_000);
    // A deadline may also come earlier (a waiting container handed a short run): the last mark counts.
    setDeadline(run, now + 1000, V1);
    expect(listRuns(V1, top)[0]!.deadline).toBe(now + 1000);
    expect(fs.readdirSync(path.join(V1.root, "pids", run)).filter((n) => n.startsWith("deadline-"))).toEqual([`deadline-${now + 1000}`]);
  });

  it("works the same in a v2 tree", () => {
    const top = newTop();
    const run = `${top}/data2/${runCgroupName(31000, 1234, "beef")}`;
    fs.mkdirSync(path.join(V2.root, run), { recursive: true });
    setDeadline(run, 5678, V2);
    expect(listRuns(V2, top)).toEqual([{ cgroupPath: run, block: 31000, deadline: 5678 }]);
    expect([...blocksInUse(V2, top)]).toEqual([31000]);
  });

  it("a sweep ends and removes the runs past their deadline, whoever made them, and leaves the others", async () => {
    const top = newTop();
    const now = Date.now();
    const expired = `${top}/dead-runner/${runCgroupName(28701, now - 1, "aa")}`;
    const extended = `${top}/dead-runner/${runCgroupName(28702, now - 1, "bb")}`;
    const live = `${top}/live-runner/${runCgroupName(28703, now + 60_000, "cc")}`;
    for (const run of [expired, extended, live]) createRunCgroup(run, limits);
    setDeadline(extended, now + 60_000, V1);
    const orphan = await shellIn(expired);
    const kept = [await shellIn(extended), await shellIn(live)];

    const ended = await endExpiredRuns(now, top);
    expect(ended.map((r) => r.cgroupPath)).toEqual([expired]);
    await new Promise<void>((resolve) => (orphan.exitCode !== null || orphan.signalCode ? resolve() : orphan.once("exit", () => resolve())));
    expect(orphan.signalCode).toBe("SIGKILL");
    expect(fs.existsSync(path.join(V1.root, "pids", expired))).toBe(false);
    expect(fs.existsSync(path.join(V1.root, "memory", expired))).toBe(false);
    // Its block is free again; the others' are not.
    expect([...blocksInUse(V1, top)].sort()).toEqual([28702, 28703]);
    for (const c of kept) expect(c.exitCode === null && c.signalCode === null).toBe(true);
  });
});
