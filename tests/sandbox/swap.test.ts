import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { activeSwapKb, assertSwapContained, cgroupLimitsSwap } from "../../runner/sandbox/swap";
import { tempDir } from "../support/stack";

/**
 * The runner refuses a host where a run could use swap beyond its memory
 * limit. This machine has no swap and limits it anyway (cgroup v1 with memsw),
 * so its real files must pass; the refusal is tested with stand-in files
 * shaped like a host with swap and no swap accounting.
 */
const SWAPS_HEADER = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";

function fakeHost(opts: { swapKb: number; memsw: boolean }) {
  const dir = tempDir("sam-swap-");
  const swaps = path.join(dir, "swaps");
  fs.writeFileSync(swaps, SWAPS_HEADER + (opts.swapKb ? `/swapfile                               file\t\t${opts.swapKb}\t\t0\t\t-2\n` : ""));
  const cgroup = path.join(dir, "cgroup");
  fs.mkdirSync(path.join(cgroup, "memory"), { recursive: true });
  fs.writeFileSync(path.join(cgroup, "memory", "memory.limit_in_bytes"), "9223372036854771712\n");
  if (opts.memsw) fs.writeFileSync(path.join(cgroup, "memory", "memory.memsw.limit_in_bytes"), "9223372036854771712\n");
  return { swaps, cgroup };
}

describe("swap", () => {
  it("reads this host's real /proc/swaps and cgroups", () => {
    const lines = fs.readFileSync("/proc/swaps", "utf8").trim().split("\n").slice(1);
    const expected = lines.reduce((sum, l) => sum + Number(l.trim().split(/\s+/)[2]), 0);
    expect(activeSwapKb()).toBe(expected);
    // swapon agrees, where it is installed.
    const swapon = spawnSync("swapon", ["--show=SIZE", "--bytes", "--noheadings"], { encoding: "utf8" });
    if (swapon.status === 0)
      expect(activeSwapKb() * 1024).toBe(
        swapon.stdout
          .trim()
          .split("\n")
          .filter(Boolean)
          .reduce((s, b) => s + Number(b), 0),
      );
    const v2 = fs.existsSync("/sys/fs/cgroup/cgroup.controllers");
    expect(cgroupLimitsSwap()).toBe(v2 ? cgroupLimitsSwap("/sys/fs/cgroup") : fs.existsSync("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"));
    // So the runner starts here.
    expect(() =>
      assertSwapContained({ activeSwapKb: activeSwapKb(), limitable: cgroupLimitsSwap(), source: "the memory cgroup" }, false, () => undefined),
    ).not.toThrow();
  });

  it("a host with active swap and no swap accounting is refused, with what to do", () => {
    const host = fakeHost({ swapKb: 2097148, memsw: false });
    const facts = { activeSwapKb: activeSwapKb(host.swaps), limitable: cgroupLimitsSwap(host.cgroup), source: "the memory cgroup" };
    expect(facts).toEqual({ activeSwapKb: 2097148, limitable: false, source: "the memory cgroup" });
    expect(() => assertSwapContained(facts, false, () => undefined)).toThrow(
      /2048 MiB of active swap and the memory cgroup cannot limit.*swapaccount=1.*swapoff -a.*SAM_ALLOW_UNLIMITED_SWAP=true/,
    );
  });

  it("SAM_ALLOW_UNLIMITED_SWAP=true lets it start, with a warning", () => {
    const host = fakeHost({ swapKb: 1024, memsw: false });
    const warnings: string[] = [];
    assertSwapContained({ activeSwapKb: activeSwapKb(host.swaps), limitable: cgroupLimitsSwap(host.cgroup), source: "the memory cgroup" }, true, (m) =>
      warnings.push(m),
    );
    expect(warnings).toEqual([expect.stringMatching(/allowed by SAM_ALLOW_UNLIMITED_SWAP=true/)]);
  });

  it("swap the cgroups can limit, or no swap at all, is fine", () => {
    for (const host of [fakeHost({ swapKb: 1024, memsw: true }), fakeHost({ swapKb: 0, memsw: false })]) {
      expect(() =>
        assertSwapContained({ activeSwapKb: activeSwapKb(host.swaps), limitable: cgroupLimitsSwap(host.cgroup), source: "x" }, false, () => undefined),
      ).not.toThrow();
    }
  });

  it("cgroup v2: memory.swap.max in a cgroup with a memory controller", () => {
    const root = tempDir("sam-swap-v2-");
    fs.writeFileSync(path.join(root, "cgroup.controllers"), "cpu memory pids\n");
    fs.mkdirSync(path.join(root, "system.slice"));
    fs.writeFileSync(path.join(root, "system.slice", "memory.max"), "max\n");
    expect(cgroupLimitsSwap(root)).toBe(false);
    fs.writeFileSync(path.join(root, "system.slice", "memory.swap.max"), "max\n");
    expect(cgroupLimitsSwap(root)).toBe(true);
  });

  it("an engine whose host cannot be seen (remote) and cannot limit swap is refused", () => {
    expect(() => assertSwapContained({ activeSwapKb: null, limitable: false, source: "the engine (Docker 27)" }, false, () => undefined)).toThrow(
      /may have swap/,
    );
    expect(() => assertSwapContained({ activeSwapKb: null, limitable: true, source: "the engine (Docker 27)" }, false, () => undefined)).not.toThrow();
  });
});
