import pino from "pino";
import { describe, expect, it } from "vitest";
import { testSchema } from "../../lib/classroom/tests/spec";
import { DEFAULT_POLICY, resolveLimits } from "../../lib/executions/limits";
import type { ProgramResult } from "../../runner/execution/execute";
import type { BuildResult, GradingEnv, GradingProgram } from "../../runner/grading/env";
import { type GradedTestInput, gradeFiles } from "../../runner/grading/grade";

/** gradeFiles over a scripted env (no sandbox): what it builds, runs and scores. */
function scriptedEnv(build: BuildResult, output: (p: GradingProgram) => string) {
  const runs: GradingProgram[] = [];
  const builds: string[] = [];
  const env: GradingEnv = {
    driver: undefined as never,
    languages: new Map(),
    diskMb: 64,
    policy: DEFAULT_POLICY,
    signal: new AbortController().signal,
    log: pino({ level: "silent" }),
    limitsFor: (_l, ...o) => resolveLimits(DEFAULT_POLICY, {}, Object.assign({}, ...o.filter(Boolean))),
    build: async (language) => {
      builds.push(language);
      return build;
    },
    run: async (p) => {
      runs.push(p);
      const stdout = Buffer.from(output(p));
      return {
        status: "succeeded",
        exitCode: 0,
        signal: null,
        stdout: stdout.toString(),
        stderr: "",
        compileOutput: null,
        cpuTimeMs: 1,
        wallTimeMs: 2,
        memoryKb: 3,
        truncated: false,
        bytes: { stdout, stderr: Buffer.alloc(0), compileOutput: null },
      } satisfies ProgramResult;
    },
  };
  return { env, runs, builds };
}

const test = (position: number, raw: object, points = 1): GradedTestInput => {
  const definition = testSchema.parse({ kind: "io", name: `t${position}`, points, ...raw });
  return { id: `00000000-0000-0000-0000-00000000000${position}`, position, name: definition.name, points, visibility: definition.visibility, definition };
};

describe("gradeFiles", () => {
  it("builds once, runs each test with the build, its own stdin, args and limits, and sums the points", async () => {
    const tar = Buffer.from("tar");
    const { env, runs, builds } = scriptedEnv({ ok: true, tar }, (p) => String(p.stdin));
    const outcome = await gradeFiles(
      env,
      {
        language: "c",
        files: [{ name: "main.c", content: "" }],
        assignmentLimits: { wallTimeMs: 4000 },
        tests: [
          test(0, { stdin: "a", expectedStdout: "a" }, 2.5),
          test(1, { stdin: "b", args: ["x"], expectedStdout: "c", limits: { wallTimeMs: 1000 } }, 1.5),
        ],
      },
      null,
    );
    expect(builds).toEqual(["c"]);
    expect(runs.map((r) => [r.stdin, r.args, r.build, r.limits.wallTimeMs])).toEqual([
      ["a", [], tar, 4000],
      ["b", ["x"], tar, 1000],
    ]);
    expect(outcome.results.map((r) => [r.outcome.verdict, r.points])).toEqual([
      ["passed", 2.5],
      ["wrong_answer", 0],
    ]);
    expect([outcome.score, outcome.maxScore, outcome.compileError]).toEqual([2.5, 4, false]);
  });

  it("a failed build is compile_error for every test and runs nothing", async () => {
    const { env, runs } = scriptedEnv({ ok: false, output: "main.c:1: error" }, () => "");
    const outcome = await gradeFiles(
      env,
      { language: "c", files: [], assignmentLimits: {}, tests: [test(0, { expectedStdout: "" }), test(1, { expectedStdout: "" })] },
      null,
    );
    expect(runs).toEqual([]);
    expect(outcome.results.map((r) => r.outcome.verdict)).toEqual(["compile_error", "compile_error"]);
    expect([outcome.compileError, outcome.compileOutput, outcome.score, outcome.maxScore]).toEqual([true, "main.c:1: error", 0, 2]);
  });

  it("a test whose stored definition is invalid, or whose kind has no judge here, is judge_error and costs no run", async () => {
    const { env, runs } = scriptedEnv({ ok: true, tar: null }, () => "");
    const broken: GradedTestInput = { id: "x", position: 0, name: "broken", points: 1, visibility: "visible", definition: null };
    const checker = testSchema.parse({ kind: "checker", name: "checker", checker: { language: "python", files: [{ name: "c.py", content: "" }] } });
    const outcome = await gradeFiles(
      env,
      { language: "python", files: [], assignmentLimits: {}, tests: [broken, { ...broken, position: 1, name: "checker", definition: checker }] },
      null,
    );
    expect(runs).toEqual([]);
    expect(outcome.results.map((r) => [r.outcome.verdict, r.outcome.feedback])).toEqual([
      ["judge_error", "the test's stored definition is not valid; the teacher must fix it"],
      ["judge_error", "checker tests cannot run on this runner"],
    ]);
  });

  it("stops when the watchdog aborted, even after the last test", async () => {
    const { env } = scriptedEnv({ ok: true, tar: null }, () => "a");
    const controller = new AbortController();
    const aborting: GradingEnv = {
      ...env,
      signal: controller.signal,
      run: async (p) => {
        controller.abort(new Error("overdue"));
        return env.run(p);
      },
    };
    await expect(
      gradeFiles(aborting, { language: "python", files: [], assignmentLimits: {}, tests: [test(0, { expectedStdout: "a" })] }, null),
    ).rejects.toThrow("overdue");
  });
});
