import { describe, expect, it } from "vitest";
import { compareOutput } from "../../lib/classroom/compare";
import { REGEX_MAX_INPUT_BYTES } from "../../lib/classroom/compare/regex";
import { comparisonSchema } from "../../lib/classroom/tests/spec";

const b = (s: string) => Buffer.from(s, "utf8");
const cmp = (mode: unknown, expected: string | Buffer, actual: string | Buffer) =>
  compareOutput(comparisonSchema.parse(mode), expected, typeof actual === "string" ? b(actual) : actual);

describe("exact", () => {
  it("matches byte for byte only", () => {
    expect(cmp({ mode: "exact" }, "1 2\n", "1 2\n").match).toBe(true);
    expect(cmp({ mode: "exact" }, "1 2\n", "1 2").match).toBe(false);
    expect(cmp({ mode: "exact" }, "1 2\n", "1 2\r\n").match).toBe(false);
    expect(cmp({ mode: "exact" }, "", "").match).toBe(true);
  });
  it("compares invalid UTF-8 as bytes (two different invalid bytes are not equal)", () => {
    expect(cmp({ mode: "exact" }, Buffer.from([0xff, 0x0a]), Buffer.from([0xfe, 0x0a])).match).toBe(false);
    expect(cmp({ mode: "exact" }, Buffer.from([0xff, 0x0a]), Buffer.from([0xff, 0x0a])).match).toBe(true);
  });
});

describe("trailing_whitespace", () => {
  const tw = { mode: "trailing_whitespace" };
  it("ignores trailing spaces and tabs per line, trailing blank lines and \\r\\n", () => {
    expect(cmp(tw, "a b\nc\n", "a b  \t\r\nc\r\n\n\n").match).toBe(true);
    expect(cmp(tw, "a b\nc", "a b\nc\n").match).toBe(true);
  });
  it("keeps leading and inner whitespace and blank lines between lines", () => {
    expect(cmp(tw, "a b\n", " a b\n").match).toBe(false);
    expect(cmp(tw, "a b\n", "a  b\n").match).toBe(false);
    expect(cmp(tw, "a\nb\n", "a\n\nb\n").match).toBe(false);
  });
  it("does not treat invalid UTF-8 as equal to the replacement character", () => {
    expect(cmp(tw, "\uFFFD\n", Buffer.from([0xff, 0x0a])).match).toBe(false);
  });
  it("defaults when no mode is given", () => {
    expect(comparisonSchema.parse({ mode: "trailing_whitespace" })).toEqual({ mode: "trailing_whitespace" });
  });
});

describe("tokens", () => {
  const t = { mode: "tokens" };
  it("compares whitespace-separated tokens", () => {
    expect(cmp(t, "1 2 3\n", "1\n2\t\t3   ").match).toBe(true);
    expect(cmp(t, "1 2 3\n", "1 2 3 4").match).toBe(false);
    expect(cmp(t, "1 2 3\n", "1 23").match).toBe(false);
    expect(cmp(t, "", " \n\r\n").match).toBe(true);
  });
  it("handles a huge output in linear time", () => {
    const big = "7 ".repeat(2_000_000);
    const started = performance.now();
    expect(cmp(t, big, big).match).toBe(true);
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});

describe("numbers", () => {
  it("accepts numbers within the absolute or the relative tolerance", () => {
    const n = { mode: "numbers", absoluteTolerance: 0.01, relativeTolerance: 0 };
    expect(cmp(n, "3.14159\n", "3.14").match).toBe(true);
    expect(cmp(n, "3.14159\n", "3.13").match).toBe(false);
    const r = { mode: "numbers", absoluteTolerance: 0, relativeTolerance: 0.001 };
    expect(cmp(r, "1000000", "1000900").match).toBe(true);
    expect(cmp(r, "1000000", "1001100").match).toBe(false);
    expect(cmp(r, "1e6", "1000000.0").match).toBe(true);
  });
  it("requires non-numeric tokens to be equal and the counts to agree", () => {
    const n = { mode: "numbers" };
    expect(cmp(n, "x = 1.0", "x = 1.0000000001").match).toBe(true);
    expect(cmp(n, "x = 1.0", "y = 1.0").match).toBe(false);
    expect(cmp(n, "1 2", "1").match).toBe(false);
    expect(cmp(n, "NaN", "NaN").match).toBe(true);
    expect(cmp(n, "1", "NaN").match).toBe(false);
    expect(cmp(n, "1", "Infinity").match).toBe(false);
    expect(cmp(n, "1", "0x1").match).toBe(false);
  });
  it("uses the defaults (1e-6) when no tolerance is given", () => {
    expect(cmp({ mode: "numbers" }, "0.5", "0.5000001").match).toBe(true);
    expect(cmp({ mode: "numbers" }, "0.5", "0.50001").match).toBe(false);
  });
});

describe("regex", () => {
  it("matches the whole output, not a fragment", () => {
    expect(cmp({ mode: "regex" }, "hello \\d+\\n", "hello 42\n").match).toBe(true);
    expect(cmp({ mode: "regex" }, "hello \\d+", "hello 42\n").match).toBe(false);
    expect(cmp({ mode: "regex" }, "\\d+", "x 42").match).toBe(false);
  });
  it("keeps whole-output anchoring under the m flag", () => {
    expect(cmp({ mode: "regex", flags: "m" }, "^b$", "a\nb\nc").match).toBe(false);
    expect(cmp({ mode: "regex", flags: "m" }, "a\\n^b$\\nc", "a\nb\nc").match).toBe(true);
  });
  it("honours the i and s flags", () => {
    expect(cmp({ mode: "regex", flags: "i" }, "HELLO", "hello").match).toBe(true);
    expect(cmp({ mode: "regex" }, "HELLO", "hello").match).toBe(false);
    expect(cmp({ mode: "regex", flags: "s" }, "a.b", "a\nb").match).toBe(true);
    expect(cmp({ mode: "regex" }, "a.b", "a\nb").match).toBe(false);
  });
  it("reports an invalid pattern as the test's fault", () => {
    const result = cmp({ mode: "regex" }, "(unclosed", "x");
    expect(result).toMatchObject({ match: false, judgeError: true });
  });
  it("stops a catastrophic pattern after its time bound", () => {
    const started = performance.now();
    const result = cmp({ mode: "regex" }, "(a+)+", `${"a".repeat(40)}b`);
    expect(result.match).toBe(false);
    expect(result.note).toMatch(/took longer/);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
  it("does not match an output longer than the bound", () => {
    const result = cmp({ mode: "regex" }, "[\\s\\S]*", Buffer.alloc(REGEX_MAX_INPUT_BYTES + 1, 0x61));
    expect(result.match).toBe(false);
    expect(result.note).toMatch(/longer than/);
  });
  it("reads the output as UTF-8", () => {
    expect(cmp({ mode: "regex", flags: "u" }, "h.llo", "héllo").match).toBe(true);
  });
});
