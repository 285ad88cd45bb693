import { describe, expect, it } from "vitest";
import { compileCacheKey, decodeEntry, encodeEntry } from "../../runner/execution/compile-cache";
import { loadCatalogue } from "../../runner/languages/catalogue";

const c = loadCatalogue().find((l) => l.language === "c")!;
const main = { name: "main.c", content: "int main(void) { return 0; }\n" };
const key = (
  files: Array<{ name: string; content: string | Uint8Array }>,
  over: Partial<typeof c> = {},
  image = "localhost/sam-runtime:abc",
  arch = "x64",
  version = "12.2.0",
) => compileCacheKey(image, { ...c, ...over }, files, arch, version);

describe("the compile cache's key covers every input of a build", () => {
  it("is the same for the same inputs, whether the bytes come as text or as bytes", () => {
    expect(key([main])).toBe(key([{ name: main.name, content: Buffer.from(main.content) }]));
  });

  it("changes with any file's bytes, name, order or number", () => {
    const base = key([main, { name: "a.c", content: "int a;" }]);
    const variants = [
      key([main, { name: "a.c", content: "int a; " }]),
      key([main, { name: "b.c", content: "int a;" }]),
      key([main, { name: "a.txt", content: "int a;" }]),
      key([{ name: "a.c", content: "int a;" }, main]),
      key([main]),
      key([main, { name: "a.c", content: "int a;" }, { name: "empty.c", content: "" }]),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
  });

  it("frames each field: moving bytes between a name and a content, or between files, changes the key", () => {
    expect(key([{ name: "ab", content: "c" }])).not.toBe(key([{ name: "a", content: "bc" }]));
    expect(
      key([
        { name: "a", content: "x" },
        { name: "b", content: "y" },
      ]),
    ).not.toBe(key([{ name: "a", content: "x\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0001by" }]));
  });

  it("changes with the image, the compiler's version, the architecture and the language's compile command, limit and artifacts", () => {
    const base = key([main]);
    expect(key([main], {}, "localhost/sam-runtime:def")).not.toBe(base);
    expect(key([main], {}, undefined, "arm64")).not.toBe(base);
    expect(key([main], {}, undefined, undefined, "12.3.0")).not.toBe(base);
    expect(key([main], { compile: `${c.compile} -DX` })).not.toBe(base);
    expect(key([main], { compileSeconds: c.compileSeconds + 1 })).not.toBe(base);
    expect(key([main], { artifacts: ["/tmp/other"] })).not.toBe(base);
    expect(key([main], { language: "cpp" })).not.toBe(base);
  });

  it("does not depend on the run command (the build does not contain it)", () => {
    expect(key([main], { run: "exec /tmp/sam-program --flag" })).toBe(key([main]));
  });
});

describe("a stored entry", () => {
  it("reads back as the build and the compiler output it was written with", () => {
    const entry = { tar: Buffer.from("tar bytes\u0000\u0001"), compileOutput: Buffer.from("main.c:1: warning: x\n") };
    const read = decodeEntry(encodeEntry(entry));
    expect(read?.tar.equals(entry.tar)).toBe(true);
    expect(read?.compileOutput.equals(entry.compileOutput)).toBe(true);
  });

  it("is a miss when it is not an entry of this format (foreign or cut short)", () => {
    expect(decodeEntry(Buffer.from("not an entry"))).toBeNull();
    const whole = encodeEntry({ tar: Buffer.from("t"), compileOutput: Buffer.from("twelve bytes") });
    expect(decodeEntry(whole.subarray(0, 10))).toBeNull();
  });
});
