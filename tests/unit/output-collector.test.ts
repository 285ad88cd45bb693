import { describe, expect, it } from "vitest";
import { COMPILE_OUTPUT_MAX_BYTES, OutputCollector, PRESTART_MAX_BYTES, type Channel } from "../../runner/execution/output";

/**
 * The runner's reading of a run's two streams, fed here as the drivers feed
 * it (no sandbox: the bytes are what a sandbox could send). What must hold
 * whatever a program or its compile step writes: memory stays bounded, the
 * marker lines are found, and nothing before the program's start is read
 * without end.
 */
const MARKER = "sam-0123456789abcdef0123456789abcdef";

function collector(limitBytes = 16 * 1024 * 1024) {
  const seen = { chunks: [] as Array<[Channel, string]>, liveBytes: 0, started: 0, compiled: [] as boolean[], overLimit: 0 };
  const c = new OutputCollector(MARKER, limitBytes, {
    chunk: (channel, bytes) => {
      seen.liveBytes += bytes.length;
      if (seen.chunks.length < 1000) seen.chunks.push([channel, bytes.toString("utf8")]);
    },
    compiled: (ok) => seen.compiled.push(ok),
    started: () => seen.started++,
    overLimit: () => seen.overLimit++,
  });
  return { c, seen };
}

describe("the launcher's lines", () => {
  it("finds the started line after compiler output that did not end its line (the launcher starts it on a line of its own)", () => {
    const { c, seen } = collector();
    c.onStderr(Buffer.from("warning: no newline at the end"));
    c.onStderr(Buffer.from(`\n${MARKER}:compiled:0\n`));
    c.onStderr(Buffer.from(`\n${MARKER}:started\nprogram's own stderr\n`));
    expect(seen.compiled).toEqual([true]);
    expect(seen.started).toBe(1);
    expect(c.compileOutput.toString()).toBe("warning: no newline at the end\n");
    expect(c.bytes("stderr").toString()).toBe("program's own stderr\n");
  });

  it("finds a marker line split over many pieces, one byte at a time", () => {
    const { c, seen } = collector();
    for (const byte of Buffer.from(`gcc: note\n\n${MARKER}:compiled:0\n\n${MARKER}:started\n`)) c.onStderr(Buffer.from([byte]));
    expect(seen.started).toBe(1);
    expect(c.compileOutput.toString()).toBe("gcc: note\n");
  });

  it("keeps a blank line of the compiler's that is followed by more of its output", () => {
    const { c } = collector();
    c.onStderr(Buffer.from(`a\n\nb\n\n${MARKER}:compiled:1\n`));
    expect(c.compileOutput.toString()).toBe("a\n\nb\n");
    expect(c.compileStatus).toBe(1);
  });
});

describe("before the program starts", () => {
  it("a line without end costs no more than reading it (no growing line buffer), and is stopped past PRESTART_MAX_BYTES", () => {
    const { c, seen } = collector();
    const piece = Buffer.alloc(64 * 1024, "x");
    const cpu = process.cpuUsage();
    // 256 MiB offered; only the first PRESTART_MAX_BYTES are read at all.
    for (let i = 0; i < 4096; i++) c.onStderr(piece);
    const used = process.cpuUsage(cpu);
    expect(seen.overLimit).toBe(1);
    expect(c.prestartExceeded).toBe(true);
    expect(seen.started).toBe(0);
    const kept = c.compileOutput.toString();
    expect(kept.startsWith("x".repeat(COMPILE_OUTPUT_MAX_BYTES))).toBe(true);
    expect(kept).toContain(`more than ${PRESTART_MAX_BYTES} bytes were printed before the program started`);
    expect(kept.length).toBeLessThan(COMPILE_OUTPUT_MAX_BYTES + 200);
    // Generous: the quadratic line buffer this replaces took seconds for the first MiBs.
    expect((used.user + used.system) / 1000).toBeLessThan(2000);
  });

  it("compiler output over COMPILE_OUTPUT_MAX_BYTES is kept up to it, cut at a character, with a note of how much there was", () => {
    const { c, seen } = collector();
    const line = `${"é".repeat(40)}\n`; // 81 bytes: the cap falls inside a character
    const lines = 1000;
    for (let i = 0; i < lines; i++) c.onStderr(Buffer.from(line));
    c.onStderr(Buffer.from(`\n${MARKER}:compiled:1\n`));
    expect(seen.overLimit).toBe(0);
    const kept = c.compileOutput;
    const note = `\n[sam: compile output truncated: the first ${COMPILE_OUTPUT_MAX_BYTES} of ${lines * 81} bytes are shown]\n`;
    expect(kept.subarray(kept.length - Buffer.byteLength(note)).toString()).toBe(note);
    const text = kept.subarray(0, kept.length - Buffer.byteLength(note)).toString();
    expect(text).not.toContain("\uFFFD");
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(COMPILE_OUTPUT_MAX_BYTES);
    expect(Buffer.byteLength(text)).toBeGreaterThan(COMPILE_OUTPUT_MAX_BYTES - 4);
  });
});

describe("the program's output", () => {
  it("16 MiB written one byte at a time, alternating stdout and stderr, is kept exactly in little more than its own size", () => {
    const { c, seen } = collector();
    c.onStderr(Buffer.from(`\n${MARKER}:started\n`));
    const total = 16 * 1024 * 1024;
    const before = process.memoryUsage();
    for (let i = 0; i < total; i++) (i & 1 ? c.onStderr : c.onStdout).call(c, Buffer.from([0x61 + (i & 1)]));
    global.gc?.();
    const after = process.memoryUsage();
    expect(c.bytes("stdout").equals(Buffer.alloc(total / 2, "a"))).toBe(true);
    expect(c.bytes("stderr").equals(Buffer.alloc(total / 2, "b"))).toBe(true);
    expect(seen.liveBytes).toBe(total);
    // Before: one Buffer object per piece, over 3 GB of heap for this. Generous bound.
    const grew = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
    expect(grew).toBeLessThan(200 * 1024 * 1024);
  }, 120_000);
});
