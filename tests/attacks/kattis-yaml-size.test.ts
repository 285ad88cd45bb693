import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { ImportError } from "../../lib/classroom/tests/import/errors";
import { importTests } from "../../lib/classroom/tests/import/import";

/**
 * A Kattis package's problem.yaml and data/testdata.yaml are parsed in the
 * web process. The YAML parser is slow on large input: a problem.yaml of
 * 8 MiB of "- x" lines (a zip entry may hold 8 MiB, and any account can make
 * a course and import into it) took over a minute of the only thread. A
 * package's YAML file is now refused unread past 64 KiB.
 */
const OPTIONS = { maxWallTimeMs: 60_000, maxCpuTimeMs: 30_000 };

function refusal(fn: () => unknown): ImportError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ImportError) return err;
    throw err;
  }
  throw new Error("not refused");
}

describe("attack: a Kattis package with a huge YAML file", () => {
  for (const path of ["problem.yaml", "data/testdata.yaml"]) {
    it(`refuses a ${path} of 8 MiB quickly`, () => {
      const zip = zipSync(
        {
          [path]: strToU8(`name: x\nkeywords:\n${"- x\n".repeat(2_000_000)}`),
          "data/secret/1.in": strToU8("1\n"),
          "data/secret/1.ans": strToU8("1\n"),
        },
        { level: 6 },
      );
      const started = performance.now();
      const err = refusal(() => importTests(zip, OPTIONS));
      expect(err.code).toBe("invalid_test_file");
      expect(err.message).toMatch(/at most 65536 bytes/);
      // Parsed, it took 67 s; refused unread, no time at all. A generous bound: the machines are shared.
      expect(performance.now() - started).toBeLessThan(20_000);
    });
  }

  it("still reads a small problem.yaml", () => {
    const zip = zipSync({
      "problem.yaml": strToU8("name: Sum\nlimits:\n  time_limit: 2\n"),
      "data/secret/1.in": strToU8("1\n"),
      "data/secret/1.ans": strToU8("1\n"),
    });
    const result = importTests(zip, OPTIONS);
    expect(result.tests).toHaveLength(1);
  });
});
