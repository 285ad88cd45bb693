import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../../lib/executions/limits";
import { sandboxGradingEnv } from "../../runner/grading/sandbox-env";
import type { SandboxDriver } from "../../runner/sandbox/driver";
import { DRIVERS, language, openDriver } from "../support/drivers";

/**
 * A grading's build (runner/grading/build.ts) on every driver: the build
 * sandbox packs the artifacts; a later, fresh sandbox gets them read-only at
 * /sam/in/build.tar (SandboxRun.build) and runs them without compiling.
 */
describe.each(DRIVERS)("grading build: %s driver", (kind) => {
  let driver: SandboxDriver;
  beforeAll(async () => {
    driver = await openDriver(kind);
  });
  afterAll(async () => {
    await driver?.close();
  });

  const env = () =>
    sandboxGradingEnv({
      driver,
      languages: new Map(["c", "java"].map((l) => [l, language(l)])),
      diskMb: DEFAULT_POLICY.diskMb,
      policy: DEFAULT_POLICY,
      signal: new AbortController().signal,
      log: pino({ level: "silent" }),
    });

  it("builds C once; a fresh sandbox runs the build read-only without the sources compiling", async () => {
    const grading = env();
    const source =
      '#include <stdio.h>\nint main(int c, char **v) { char s[64]; if (!fgets(s, sizeof s, stdin)) return 2; printf("%s|%s", v[1], s); return 0; }\n';
    const build = await grading.build("c", [{ name: "main.c", content: source }]);
    expect(build.ok).toBe(true);
    const tar = build.ok ? build.tar : null;
    expect(tar?.length).toBeGreaterThan(1024);
    // The sources in this run do not even compile: only the build can have made the program.
    const result = await grading.run({
      language: "c",
      files: [{ name: "main.c", content: "this is not C\n" }],
      build: tar,
      stdin: "from stdin\n",
      args: ["arg"],
      limits: grading.limitsFor("c"),
      command: 'echo tampered > /sam/in/build.tar 2>/dev/null && echo "WROTE"; exec /tmp/sam-program "$@"',
    });
    expect(result.status).toBe("succeeded");
    expect(result.stdout).toBe("arg|from stdin\n");
    expect(result.compileOutput).toBeNull();
  });

  it("a failed compile is {ok: false} with the compiler's output", async () => {
    const build = await env().build("c", [{ name: "main.c", content: "int main( {\n" }]);
    expect(build.ok).toBe(false);
    expect(build.ok ? "" : build.output).toMatch(/error/);
  });
});
