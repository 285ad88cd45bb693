import { strToU8, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { exportSuite } from "../../lib/classroom/tests/export";
import { commandWrapper, plainInvocationArgs } from "../../lib/classroom/tests/import/autograding";
import { ImportError } from "../../lib/classroom/tests/import/errors";
import { importTests } from "../../lib/classroom/tests/import/import";
import { readZip } from "../../lib/classroom/tests/import/zip";
import { suiteFileSchema, testSchema, type TestDefinition } from "../../lib/classroom/tests/spec";

/**
 * The pure importers: SAM's own file, GitHub Classroom's autograding.json
 * and Kattis problem packages (zips built here), and the zip reader's
 * refusals (bombs, too many entries, names that climb out).
 */
const OPTIONS = { maxWallTimeMs: 60_000, maxCpuTimeMs: 30_000 };
const json = (value: unknown) => strToU8(JSON.stringify(value));
const zip = (files: Record<string, string | Uint8Array>) =>
  zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, typeof v === "string" ? strToU8(v) : v])));

function refusal(run: () => unknown): ImportError {
  try {
    run();
  } catch (err) {
    if (err instanceof ImportError) return err;
    throw err;
  }
  throw new Error("expected an ImportError");
}

describe("SAM tests file", () => {
  const tests: TestDefinition[] = [
    testSchema.parse({ kind: "io", name: "adds", points: 2, stdin: "1 2\n", expectedStdout: "3\n", comparison: { mode: "tokens" } }),
    testSchema.parse({ kind: "io", name: "secret", visibility: "hidden", stdin: "5 5\n", expectedStdout: "10\n", limits: { cpuTimeMs: 500 } }),
    testSchema.parse({ kind: "checker", name: "checked", answer: "42\n", checker: { language: "python", files: [{ name: "check.py", content: "exit(42)" }] } }),
    testSchema.parse({ kind: "command", name: "pytest", command: "pytest -q", files: [{ name: "test_x.py", content: "def test(): pass" }] }),
  ];

  it("export then import gives the same tests and limits", () => {
    const file = exportSuite({ wallTimeMs: 2000 }, tests);
    expect(suiteFileSchema.parse(file)).toEqual(file);
    const result = importTests(json(file), OPTIONS);
    expect(result.format).toBe("sam-tests");
    expect(result.tests).toEqual(tests);
    expect(result.limits).toEqual({ wallTimeMs: 2000 });
    expect(result.warnings).toEqual([]);
  });

  it("export leaves out row ids and positions", () => {
    const file = exportSuite({}, [{ ...tests[0]!, id: "x", position: 0 } as unknown as TestDefinition]);
    expect(file.tests[0]).not.toHaveProperty("id");
    expect(file.tests[0]).not.toHaveProperty("position");
  });

  it("a bad test in the file is refused naming it", () => {
    const err = refusal(() => importTests(json({ format: "sam-tests", version: 1, tests: [{ kind: "io", name: "x", expectedStdout: 3 }] }), OPTIONS));
    expect(err.code).toBe("invalid_test_file");
    expect(err.message).toContain("tests.0.expectedStdout");
  });

  it("something else is refused as an unknown format", () => {
    expect(refusal(() => importTests(strToU8("not json at all"), OPTIONS)).code).toBe("import_format_unknown");
    expect(refusal(() => importTests(json({ hello: 1 }), OPTIONS)).code).toBe("import_format_unknown");
  });
});

describe("GitHub Classroom autograding.json", () => {
  const file = {
    tests: [
      { name: "Hello", setup: "", run: "python hello.py", input: "Ada", output: "Hello, Ada", comparison: "included", timeout: 1, points: 5 },
      { name: "Exact", setup: "sudo apt-get install -y foo", run: "./hello --loud x", input: "", output: "HI\n", comparison: "exact", timeout: 10, points: 3 },
      { name: "Regex", run: "node main.js", output: "^\\d+ items?$", comparison: "regex", points: 1 },
      { name: "Unit", setup: "pip install pytest", run: "pytest -q tests/", input: "", output: "", comparison: "included", timeout: 5, points: 10 },
      { name: "Piped", run: "gcc -o hi hi.c && ./hi", input: "x\n", output: "ok", comparison: "exact", points: 2 },
    ],
  };
  const result = importTests(json(file), OPTIONS);
  const byName = Object.fromEntries(result.tests.map((t) => [t.name, t]));

  it("is recognised and keeps names, points and order", () => {
    expect(result.format).toBe("autograding");
    expect(result.tests.map((t) => [t.name, t.points])).toEqual([
      ["Hello", 5],
      ["Exact", 3],
      ["Regex", 1],
      ["Unit", 10],
      ["Piped", 2],
    ]);
  });

  it("a plain program run becomes an io test with its args, its input and exit code 0", () => {
    const hello = byName.Hello!;
    expect(hello.kind).toBe("io");
    if (hello.kind !== "io") return;
    expect(hello.stdin).toBe("Ada");
    expect(hello.args).toEqual([]);
    expect(hello.expectedExitCode).toBe(0);
    expect(hello.limits).toEqual({ wallTimeMs: 60_000 });
    const exact = byName.Exact!;
    if (exact.kind !== "io") throw new Error("Exact should be io");
    expect(exact.args).toEqual(["--loud", "x"]);
    expect(exact.comparison).toEqual({ mode: "trailing_whitespace" });
    expect(exact.expectedStdout).toBe("HI");
  });

  it("included and regex become regexes that match anywhere in the output, as the action does", () => {
    const hello = byName.Hello!;
    const regex = byName.Regex!;
    if (hello.kind !== "io" || regex.kind !== "io") throw new Error("io expected");
    const full = (t: typeof hello, out: string) => new RegExp(`^(?:${t.expectedStdout})$`).test(out);
    expect(full(hello, "Why, Hello, Ada!\n")).toBe(true);
    expect(full(hello, "Hello, Bob\n")).toBe(false);
    // A regex's special characters in an "included" output are taken literally.
    const dots = importTests(json({ tests: [{ name: "d", run: "python a.py", output: "a.b", comparison: "included" }] }), OPTIONS).tests[0]!;
    if (dots.kind !== "io") throw new Error("io expected");
    expect(full(dots, "a.b")).toBe(true);
    expect(full(dots, "axb")).toBe(false);
    expect(full(regex, "3 items")).toBe(true);
    expect(full(regex, "three items")).toBe(false);
  });

  it("anything else becomes a command test writing results.json", () => {
    const unit = byName.Unit!;
    expect(unit.kind).toBe("command");
    if (unit.kind !== "command") return;
    expect(unit.command).toContain("pytest -q tests/");
    expect(unit.command).toContain("results.json");
    expect(unit.resultsFile).toBe("results.json");
    expect(byName.Piped!.kind).toBe("command");
  });

  it("setup steps and timeouts above the server's maximum are reported per test", () => {
    const warned = (name: string) => result.warnings.filter((w) => w.test === name).map((w) => w.message);
    expect(warned("Exact").join(" ")).toMatch(/setup step .* is not run/);
    expect(warned("Exact").join(" ")).toMatch(/timeout of 10 minutes .* lowered to 60000 ms/);
    expect(warned("Unit").join(" ")).toMatch(/setup step/);
    expect(warned("Hello").join(" ")).not.toMatch(/setup/);
  });

  it("tells plain invocations from shell commands", () => {
    expect(plainInvocationArgs("python3 main.py 1 2")).toEqual(["1", "2"]);
    expect(plainInvocationArgs("java Main")).toEqual([]);
    expect(plainInvocationArgs("./a.out")).toEqual([]);
    expect(plainInvocationArgs("make test")).toBeUndefined();
    expect(plainInvocationArgs("python main.py | sort")).toBeUndefined();
    expect(plainInvocationArgs("python -m pytest")).toBeUndefined();
  });

  it("the command wrapper quotes the expected output and input for the shell", () => {
    const cmd = commandWrapper({ name: "q", run: "cat", input: "it's", output: "it's", comparison: "included" });
    expect(cmd).toContain(`'it'\\''s'`);
  });

  it("a test without run is refused naming it", () => {
    const err = refusal(() => importTests(json({ tests: [{ name: "x", run: "" }] }), OPTIONS));
    expect(err.code).toBe("invalid_test_file");
    expect(err.message).toContain("tests.0.run");
  });
});

describe("Kattis problem packages", () => {
  const basic = {
    "problem.yaml": "name: Add Two\nvalidation: default\n",
    "data/sample/1.in": "1 2\n",
    "data/sample/1.ans": "3\n",
    "data/secret/10.in": "10 10\n",
    "data/secret/10.ans": "20\n",
    "data/secret/2.in": "2 2\n",
    "data/secret/2.ans": "4\n",
    "data/secret/3.in": "no answer\n",
    "problem_statement/problem.en.md": "# Add two\nRead two numbers.",
  };

  it("samples are visible io tests, secret data hidden, in natural order; statement and title read", () => {
    const result = importTests(zip(basic), OPTIONS);
    expect(result.format).toBe("kattis");
    expect(result.tests.map((t) => [t.name, t.visibility, t.kind])).toEqual([
      ["sample/1", "visible", "io"],
      ["secret/2", "hidden", "io"],
      ["secret/10", "hidden", "io"],
    ]);
    const first = result.tests[0]!;
    if (first.kind !== "io") throw new Error("io expected");
    expect(first.stdin).toBe("1 2\n");
    expect(first.expectedStdout).toBe("3\n");
    expect(first.comparison).toEqual({ mode: "tokens" });
    expect(result.statement).toBe("# Add two\nRead two numbers.");
    expect(result.title).toBe("Add Two");
    expect(result.warnings.some((w) => w.test === "secret/3" && /no \.ans/.test(w.message))).toBe(true);
  });

  it("a package inside a folder of the zip is found", () => {
    const nested = Object.fromEntries(Object.entries(basic).map(([k, v]) => [`addtwo/${k}`, v]));
    expect(importTests(zip(nested), OPTIONS).tests).toHaveLength(3);
  });

  it("float_tolerance becomes a numbers comparison", () => {
    const result = importTests(zip({ ...basic, "problem.yaml": "validation: default\nvalidator_flags: float_tolerance 1e-6\n" }), OPTIONS);
    const first = result.tests[0]!;
    if (first.kind !== "io") throw new Error("io expected");
    expect(first.comparison).toEqual({ mode: "numbers", absoluteTolerance: 1e-6, relativeTolerance: 1e-6 });
  });

  it("a custom validator becomes checker tests with its source, language and flags", () => {
    const result = importTests(
      zip({
        ...basic,
        "problem.yaml": "validation: custom\nvalidator_flags: strict\n",
        "output_validators/checker/validate.cpp": "int main(){return 42;}",
        "output_validators/checker/testlib.h": "// helper",
      }),
      OPTIONS,
    );
    const first = result.tests[0]!;
    expect(first.kind).toBe("checker");
    if (first.kind !== "checker") return;
    expect(first.stdin).toBe("1 2\n");
    expect(first.answer).toBe("3\n");
    expect(first.checker.language).toBe("cpp");
    expect(first.checker.files.map((f) => f.name)).toEqual(["validate.cpp", "testlib.h"]);
    expect(first.checker.args).toEqual(["strict"]);
  });

  it("the time limit becomes each test's CPU limit, twice that on the wall clock, within the server's maximum", () => {
    const stated = importTests(zip({ ...basic, "problem.yaml": "limits:\n  time_limit: 1.5\n" }), OPTIONS);
    expect(stated.tests.map((t) => t.limits)).toEqual(Array(3).fill({ cpuTimeMs: 1500, wallTimeMs: 3000 }));
    const file = importTests(zip({ ...basic, ".timelimit": "2\n" }), OPTIONS);
    expect(file.tests[0]!.limits).toEqual({ cpuTimeMs: 2000, wallTimeMs: 4000 });
    const huge = importTests(zip({ ...basic, "problem.yaml": "limits:\n  time_limit: 100\n" }), OPTIONS);
    expect(huge.tests[0]!.limits).toEqual({ cpuTimeMs: 30_000, wallTimeMs: 60_000 });
    expect(huge.warnings.some((w) => /lowered to 30000 ms of CPU/.test(w.message))).toBe(true);
    expect(importTests(zip(basic), OPTIONS).tests[0]!.limits).toEqual({});
  });

  it("an interactive problem is refused", () => {
    const err = refusal(() => importTests(zip({ ...basic, "problem.yaml": "validation: custom interactive\n" }), OPTIONS));
    expect(err.code).toBe("invalid_test_file");
    expect(err.message).toMatch(/Interactive/);
  });

  it("a zip that is no problem package is refused", () => {
    expect(refusal(() => importTests(zip({ "readme.txt": "hi" }), OPTIONS)).code).toBe("invalid_test_file");
  });
});

describe("reading an uploaded zip", () => {
  const LIMITS = { entries: 10, entryBytes: 1000, totalBytes: 2500 };

  it("refuses an entry that unpacks larger than allowed (a zip bomb)", () => {
    const bomb = zipSync({ "data/secret/1.in": new Uint8Array(5_000_000) }, { level: 9 });
    expect(bomb.length).toBeLessThan(20_000);
    expect(refusal(() => readZip(bomb, LIMITS)).code).toBe("zip_too_large");
  });

  it("refuses more in all than allowed", () => {
    const files = Object.fromEntries([1, 2, 3].map((i) => [`f${i}`, new Uint8Array(900)]));
    expect(refusal(() => readZip(zipSync(files), LIMITS)).code).toBe("zip_too_large");
  });

  it("refuses too many entries", () => {
    const files = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`f${i}`, strToU8("x")]));
    expect(refusal(() => readZip(zipSync(files), LIMITS)).code).toBe("zip_too_many_entries");
  });

  it("refuses names that climb out of the package", () => {
    for (const name of ["../evil.in", "data/../../etc/passwd", "/etc/passwd", "a\\b", "C:/x"]) {
      expect(refusal(() => readZip(zipSync({ [name]: strToU8("x") }), LIMITS)).code, name).toBe("zip_unsafe_path");
    }
  });

  it("refuses what is not a zip at all", () => {
    const broken = zip({ "a.txt": "x" }).slice(0, 30);
    expect(refusal(() => importTests(broken, OPTIONS)).code).toBe("invalid_zip");
  });

  it("a header that lies about the size cannot make it unpack more than it says", () => {
    const honest = zipSync({ "a.in": new Uint8Array(100_000) }, { level: 9 });
    // Rewrite the central directory's uncompressed size (offset 24 of its header) to 10 bytes.
    const lying = honest.slice();
    const view = new DataView(lying.buffer);
    for (let i = lying.length - 22; i >= 0; i--) {
      if (view.getUint32(i, true) === 0x02014b50) {
        view.setUint32(i + 24, 10, true);
        break;
      }
    }
    let files: Map<string, Uint8Array> | undefined;
    try {
      files = readZip(lying, LIMITS);
    } catch (err) {
      expect(err).toBeInstanceOf(ImportError);
    }
    if (files) expect(files.get("a.in")!.length).toBeLessThanOrEqual(10);
  });
});
