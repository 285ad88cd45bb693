import { describe, expect, it } from "vitest";
import { FRAME_HEADER_BYTES, FrameWriter, readFrames, type OutputChannel } from "../../lib/executions/output-frames";
import { EVENT_MAX_BYTES } from "../../lib/executions/queue";

/** The `output` event's frames: pieces of both channels in one event, read back in order. */
describe("output frames", () => {
  it("pieces of both channels come back in order; consecutive pieces of one channel share a frame", () => {
    const w = new FrameWriter(EVENT_MAX_BYTES);
    const pieces: Array<[OutputChannel, string]> = [
      ["stdout", "a"],
      ["stdout", "b"],
      ["stderr", "c"],
      ["stdout", "\u0000é"],
      ["stderr", "𝄞"],
    ];
    for (const [channel, text] of pieces) w.append(channel, Buffer.from(text));
    const frames = [...readFrames(w.data())].map((f) => [f.channel, f.bytes.toString()]);
    expect(frames).toEqual([
      ["stdout", "ab"],
      ["stderr", "c"],
      ["stdout", "\u0000é"],
      ["stderr", "𝄞"],
    ]);
    expect(w.size).toBe(4 * FRAME_HEADER_BYTES + Buffer.byteLength("abc\u0000é𝄞"));
  });

  it("room() says what fits: a channel switch needs a header; more than that is refused", () => {
    const w = new FrameWriter(10);
    expect(w.room("stdout")).toBe(7);
    w.append("stdout", Buffer.from("12345"));
    expect(w.room("stdout")).toBe(2);
    expect(w.room("stderr")).toBe(0);
    expect(() => w.append("stdout", Buffer.from("123"))).toThrow();
  });

  it("a full event of single bytes alternating channels", () => {
    const w = new FrameWriter(EVENT_MAX_BYTES);
    let n = 0;
    while (w.room(n & 1 ? "stderr" : "stdout") >= 1) w.append(n & 1 ? "stderr" : "stdout", Buffer.from([0x30 + (n++ % 10)]));
    const frames = [...readFrames(w.data())];
    expect(frames).toHaveLength(n);
    expect(frames.every((f, i) => f.channel === (i & 1 ? "stderr" : "stdout") && f.bytes[0] === 0x30 + (i % 10))).toBe(true);
  });

  it("a malformed tail is ignored, never read past the data", () => {
    const w = new FrameWriter(64);
    w.append("stdout", Buffer.from("ok"));
    const data = Buffer.concat([w.data(), Buffer.from([0, 0xff, 0xff, 1]), Buffer.from([9, 0, 1, 2])]);
    expect([...readFrames(data)].map((f) => f.bytes.toString())).toEqual(["ok"]);
  });
});
