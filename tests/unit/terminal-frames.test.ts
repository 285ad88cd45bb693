import { describe, expect, it } from "vitest";
import { encodeFrame } from "../../lib/terminals/frames";
import { FileDumpReader } from "../../runner/terminal/file-dump";

/** What the runner writes into a terminal's sandbox, and how it reads the wrapper's answers about files. */
describe("terminal frames", () => {
  it("frames keys, window sizes and file requests with a type byte and a length, so keys never pass for control", () => {
    const keys = encodeFrame({ kind: "data", data: Buffer.from("r\x00\x00\x00\x05") });
    expect([...keys]).toEqual([0x64, 0, 0, 0, 5, 0x72, 0, 0, 0, 5]);
    expect(encodeFrame({ kind: "resize", cols: 100, rows: 30 }).toString("latin1")).toBe("r\x00\x00\x00\x06100,30");
    expect(encodeFrame({ kind: "files", requestId: "0123456789abcdef" }).toString("latin1")).toBe("f\x00\x00\x00\x100123456789abcdef");
  });
});

describe("the wrapper's answers on stderr", () => {
  function reader() {
    const stored: Array<[string, string]> = [];
    const passed: string[] = [];
    const redis = { set: async (key: string, value: string) => void stored.push([key, value]) } as never;
    const log = { warn: () => undefined } as never;
    return { r: new FileDumpReader(redis, log, "exec", (b) => passed.push(b.toString())), stored, passed };
  }

  it("stores an answer that came in pieces and passes any other line on", () => {
    const { r, stored, passed } = reader();
    const body = Buffer.from(JSON.stringify({ files: [], skipped: [] })).toString("base64");
    r.push(Buffer.from("something else\nSAMFILES 0123456789abcdef "));
    r.push(Buffer.from(`${body.slice(0, 5)}`));
    r.push(Buffer.from(`${body.slice(5)}\n`));
    expect(passed).toEqual(["something else\n"]);
    expect(stored).toEqual([["sam:term:exec:files:0123456789abcdef", '{"files":[],"skipped":[]}']]);
  });

  it("drops a line longer than it keeps, and a malformed answer", () => {
    const { r, stored } = reader();
    r.push(Buffer.from("SAMFILES 0123456789abcdef "));
    for (let i = 0; i < 5; i++) r.push(Buffer.alloc(1024 * 1024, 0x41));
    r.push(Buffer.from("\nSAMFILES nothex!!!!!!!!!!! AAAA\n"));
    expect(stored).toEqual([]);
  });
});
