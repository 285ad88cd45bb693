import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { KillReason, SandboxLimits } from "../../runner/sandbox/driver";
import { containerLifetimeMs, RunClock, START_ALLOWANCE_MS } from "../../runner/sandbox/run-clock";

/**
 * The clock every driver shares, on fake timers: what starts the wall clock,
 * what bounds a container that never gets to the program, and the CPU budget
 * counted from the program's start. The real drivers' suites (wall-time*.test.ts)
 * check the same end to end.
 */
const limits: SandboxLimits = { cpuTimeMs: 1000, wallTimeMs: 2000, memoryMb: 64, processes: 16, diskMb: 64, compileSeconds: 10 };
const MARKER = "sam-0123456789abcdef";

function clockWith(cpu: { ms: number | null } = { ms: 0 }) {
  const kills: KillReason[] = [];
  const seen: string[] = [];
  const clock = new RunClock({ limits, marker: MARKER, readCpuMs: () => cpu.ms, kill: (r) => kills.push(r) });
  const streams = clock.watch({ stdout: () => undefined, stderr: (c) => seen.push(c.toString()) });
  return { clock, streams, kills, seen };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("run clock", () => {
  it("the wall clock starts at the launcher's started line, not when the container starts", () => {
    const { clock, streams, kills, seen } = clockWith();
    clock.containerStart();
    vi.advanceTimersByTime(limits.wallTimeMs + 5000); // creating, copying, compiling: not counted
    expect(kills).toEqual([]);
    streams.stderr(Buffer.from(`compiler says hi\n\n${MARKER}:compiled:0\n${MARKER}:started\n`));
    expect(seen.join("")).toContain("compiler says hi"); // the output passes on unchanged
    vi.advanceTimersByTime(limits.wallTimeMs - 1);
    expect(kills).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(kills).toEqual(["wall_time"]);
    clock.stop();
    expect(clock.wallTimeMs()).toBe(limits.wallTimeMs);
  });

  it("finds the started line split over chunks", () => {
    const { clock, streams, kills } = clockWith();
    clock.containerStart();
    const line = `${MARKER}:started\n`;
    for (const piece of [line.slice(0, 5), line.slice(5, 20), line.slice(20)]) streams.stderr(Buffer.from(piece));
    vi.advanceTimersByTime(limits.wallTimeMs);
    expect(kills).toContain("wall_time");
  });

  it("a container that never gets to the program is killed as stalled once its lifetime is over", () => {
    const { clock, kills } = clockWith();
    clock.containerStart();
    expect(containerLifetimeMs(limits)).toBe(START_ALLOWANCE_MS + 10_000 + limits.wallTimeMs);
    vi.advanceTimersByTime(containerLifetimeMs(limits) - 1);
    expect(kills).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(kills).toEqual(["stalled"]);
  });

  it("counts CPU from the program's start: what the launcher and compiler used is not the program's", () => {
    const cpu = { ms: 4000 as number | null };
    const { clock, streams, kills } = clockWith(cpu);
    clock.containerStart();
    streams.stderr(Buffer.from(`${MARKER}:started\n`));
    cpu.ms = 4000 + limits.cpuTimeMs;
    vi.advanceTimersByTime(100);
    expect(kills).toEqual([]);
    cpu.ms = 4000 + limits.cpuTimeMs + 1;
    vi.advanceTimersByTime(100);
    expect(kills[0]).toBe("cpu_time");
    expect(clock.programCpuMs(4000 + 1500)).toBe(1500);
  });

  it("once stopped, nothing fires", () => {
    const { clock, streams, kills } = clockWith();
    clock.containerStart();
    streams.stderr(Buffer.from(`${MARKER}:started\n`));
    clock.stop();
    vi.advanceTimersByTime(containerLifetimeMs(limits) * 2);
    expect(kills).toEqual([]);
  });

  it("without a marker the program counts as started with the container", () => {
    const kills: KillReason[] = [];
    const clock = new RunClock({ limits, marker: undefined, readCpuMs: () => 0, kill: (r) => kills.push(r) });
    clock.containerStart();
    vi.advanceTimersByTime(limits.wallTimeMs);
    expect(kills).toEqual(["wall_time"]);
  });
});
