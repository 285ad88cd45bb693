import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cgroupPids, killCgroup, type CgroupLayout } from "../../runner/sandbox/oci/cgroup-kill";
import { removeCgroupTree } from "../../runner/sandbox/oci/run-cgroup";

/**
 * The backstop kill of a run's cgroup, on real cgroups of both versions: this
 * host mounts v1 controllers (with the freezer) and a v2 tree beside them
 * (/sys/fs/cgroup/unified), whose cgroup.kill works whatever controllers it
 * holds. The processes are benign host shells that keep forking sleeps (the
 * cgroup's own pids limit bounds them), moved into a fresh test cgroup.
 */
const V1: CgroupLayout = { version: 1, root: "/sys/fs/cgroup" };
const V2: CgroupLayout = { version: 2, root: "/sys/fs/cgroup/unified" };
const made: Array<{ layout: CgroupLayout; path: string }> = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  for (const { layout, path: p } of made.splice(0)) {
    const dirs = layout.version === 2 ? [path.join(layout.root, p)] : ["freezer", "pids"].map((c) => path.join(layout.root, c, p));
    for (const d of dirs) removeDir(d);
  }
});

function removeDir(dir: string): void {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeDir(path.join(dir, e.name));
  fs.rmdirSync(dir);
}

/** A shell in `dirs` (cgroup directories) that, once it is in, forks sleeps until stopped. */
async function forkingShellIn(dirs: string[]): Promise<ChildProcess> {
  const child = spawn("sh", ["-c", "read go; while :; do sleep 1000 & sleep 0.01; done"], { stdio: ["pipe", "ignore", "ignore"] });
  children.push(child);
  for (const d of dirs) fs.writeFileSync(path.join(d, "cgroup.procs"), String(child.pid));
  child.stdin!.write("go\n");
  // Let it fork a few.
  for (let i = 0; i < 100 && cgroupPids(dirs[0]!).length < 4; i++) await new Promise((r) => setTimeout(r, 20));
  return child;
}

function testCgroup(layout: CgroupLayout, controllers: string[]): { path: string; dirs: string[] } {
  const p = `/sam-test-kill-${randomBytes(4).toString("hex")}`;
  made.push({ layout, path: p });
  const dirs = layout.version === 2 ? [path.join(layout.root, p)] : controllers.map((c) => path.join(layout.root, c, p));
  for (const d of dirs) fs.mkdirSync(d);
  const pids = layout.version === 1 ? dirs.find((d) => d.includes("/pids/")) : undefined;
  if (pids) fs.writeFileSync(path.join(pids, "pids.max"), "64");
  return { path: p, dirs };
}

const exited = (child: ChildProcess) =>
  new Promise<string | null>((resolve) =>
    child.exitCode !== null || child.signalCode ? resolve(child.signalCode) : child.once("exit", (_c, s) => resolve(s)),
  );

describe("killing a run's cgroup (v1)", () => {
  it("freezes, kills every process (forks included) and leaves the cgroup empty", async () => {
    const cg = testCgroup(V1, ["freezer", "pids"]);
    const child = await forkingShellIn(cg.dirs);
    expect(cgroupPids(cg.dirs[0]!).length).toBeGreaterThan(1);
    expect(await killCgroup(cg.path, V1)).toBe(true);
    expect(await exited(child)).toBe("SIGKILL");
    for (const d of cg.dirs) expect(cgroupPids(d)).toEqual([]);
    expect(fs.readFileSync(path.join(cg.dirs[0]!, "freezer.state"), "utf8").trim()).toBe("THAWED");
  });

  it("without a freezer cgroup, kills every pid listed until none is left", async () => {
    const cg = testCgroup(V1, ["pids"]);
    const child = await forkingShellIn(cg.dirs);
    expect(await killCgroup(cg.path, V1)).toBe(true);
    expect(await exited(child)).toBe("SIGKILL");
    expect(cgroupPids(cg.dirs[0]!)).toEqual([]);
  });
});

describe("killing a run's cgroup (v2)", () => {
  // A pure v2 host has its tree at /sys/fs/cgroup; this hybrid one at /unified.
  const layout: CgroupLayout = fs.existsSync("/sys/fs/cgroup/unified/cgroup.procs") ? V2 : { version: 2, root: "/sys/fs/cgroup" };

  it("kills the whole subtree through cgroup.kill", async () => {
    const cg = testCgroup(layout, []);
    fs.mkdirSync(path.join(cg.dirs[0]!, "c"));
    const child = await forkingShellIn([path.join(cg.dirs[0]!, "c")]);
    expect(await killCgroup(cg.path, layout)).toBe(true);
    expect(await exited(child)).toBe("SIGKILL");
    expect(cgroupPids(cg.dirs[0]!)).toEqual([]);
  });

  it("a cgroup that is already gone counts as empty", async () => {
    expect(await killCgroup(`/sam-test-kill-gone-${randomBytes(4).toString("hex")}`, layout)).toBe(true);
  });
});

it("removeCgroupTree still removes what killCgroup emptied", async () => {
  const cg = testCgroup(V1, ["pids"]);
  await forkingShellIn(cg.dirs);
  await killCgroup(cg.path, V1);
  await removeCgroupTree(cg.path);
  expect(fs.existsSync(cg.dirs[0]!)).toBe(false);
  made.pop();
});
