import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SandboxDriver } from "../../runner/sandbox/driver";
import { allLanguages, DRIVERS, openDriver, runProgram } from "../support/drivers";
import { executeProgram } from "../../runner/execution/execute";
import { DEFAULT_POLICY, resolveLimits } from "../../lib/executions/limits";

/** One contract, every driver: both must pass all of it. */
describe.each(DRIVERS)("sandbox contract: %s driver", (kind) => {
  let driver: SandboxDriver;
  beforeAll(async () => {
    driver = await openDriver(kind);
  });
  afterAll(async () => {
    await driver?.close();
  });

  it.each(allLanguages().map((l) => l.language))("%s: the language's test program prints OK", async (name) => {
    const lang = allLanguages().find((l) => l.language === name)!;
    const result = await executeProgram(driver, lang, { files: lang.test.files, stdin: "", args: [] }, resolveLimits(DEFAULT_POLICY, lang.limits), 64);
    expect(result.status).toBe("succeeded");
    expect(result.stdout.trim()).toBe("OK");
    expect(result.exitCode).toBe(0);
  });

  it("passes stdin and args exactly, spaces, quotes and all", async () => {
    const result = await runProgram(driver, "python", "import sys, json\nprint(json.dumps({'args': sys.argv[1:], 'stdin': sys.stdin.read()}))", {
      stdin: "line one\nline 'two' $HOME `x`\n",
      args: ["a b", "'quoted'", "$(touch /tmp/pwned)", "--flag=1", ""],
    });
    expect(result.status).toBe("succeeded");
    expect(JSON.parse(result.stdout)).toEqual({ args: ["a b", "'quoted'", "$(touch /tmp/pwned)", "--flag=1", ""], stdin: "line one\nline 'two' $HOME `x`\n" });
  });

  it("runs a program made of several files in folders; the first file is the entry point", async () => {
    const result = await runProgram(driver, "python", "from pkg.util import greet\nprint(greet('there'))", {
      extraFiles: [
        { name: "pkg/__init__.py", content: "" },
        { name: "pkg/util.py", content: "def greet(who):\n    return 'hello ' + who\n" },
      ],
    });
    expect(result.stdout).toBe("hello there\n");
  });

  it("reports a non-zero exit as failed with its code, and keeps stdout and stderr apart", async () => {
    const result = await runProgram(driver, "bash", "echo out; echo err >&2; exit 3");
    expect(result).toMatchObject({ status: "failed", exitCode: 3, signal: null, stdout: "out\n", stderr: "err\n" });
  });

  it("reports death by a signal", async () => {
    const result = await runProgram(driver, "c", "#include <signal.h>\nint main(void) { raise(SIGSEGV); return 0; }");
    expect(result.status).toBe("failed");
    expect(result.signal).toBe("SIGSEGV");
    expect(result.exitCode).toBeNull();
  });

  it("turns a compiler error into compile_error with the compiler's output, and never runs the program", async () => {
    const result = await runProgram(driver, "cpp", '#include <cstdio>\nint main() { puts("ran"); return undeclared; }');
    expect(result.status).toBe("compile_error");
    expect(result.compileOutput).toContain("undeclared");
    expect(result.stdout).toBe("");
    expect(result.exitCode).not.toBe(0);
  });

  it("measures CPU time, peak memory and wall time from the kernel", async () => {
    const result = await runProgram(driver, "python", "x = bytearray(40 * 1024 * 1024)\ns = 0\nfor i in range(2_000_000): s += i\nprint(s)");
    expect(result.status).toBe("succeeded");
    expect(result.cpuTimeMs).toBeGreaterThan(50);
    expect(result.memoryKb).toBeGreaterThan(40 * 1024);
    expect(result.wallTimeMs).toBeGreaterThan(0);
  });

  it("a request may lower a limit: 1 s of CPU ends a loop as time_limit_exceeded", async () => {
    const result = await runProgram(driver, "c", "int main(void) { volatile unsigned long i = 0; for (;;) i++; }", {
      limits: { cpuTimeMs: 1000, wallTimeMs: 8000 },
    });
    expect(result.status).toBe("time_limit_exceeded");
  });

  it("the JVM runs with its raised limits", async () => {
    const result = await runProgram(
      driver,
      "java",
      'public class Main { public static void main(String[] a) throws Exception { Thread[] t = new Thread[16]; for (int i = 0; i < 16; i++) { t[i] = new Thread(() -> {}); t[i].start(); } for (Thread x : t) x.join(); System.out.println("threads ok"); } }',
    );
    expect(result.stdout).toBe("threads ok\n");
  });
});
