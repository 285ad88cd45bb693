import { describe, expect, it } from "vitest";
import type { ProgramResult } from "../../runner/execution/execute";
import { GradingCancelledError, runVerdict } from "../../runner/grading/outcome";
import { testsToRun } from "../../runner/grading/select-tests";

function result(over: Partial<ProgramResult>): ProgramResult {
  return {
    status: "succeeded",
    exitCode: 0,
    signal: null,
    stdout: "",
    stderr: "",
    compileOutput: null,
    cpuTimeMs: 1,
    wallTimeMs: 2,
    memoryKb: 3,
    truncated: false,
    bytes: { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), compileOutput: null },
    ...over,
  };
}

describe("the verdict a run decides before its output is compared", () => {
  it("limits are time, memory and output limit", () => {
    expect(runVerdict(result({ status: "time_limit_exceeded", exitCode: null, signal: "SIGKILL" }))?.verdict).toBe("time_limit");
    expect(runVerdict(result({ status: "memory_limit_exceeded", exitCode: null, signal: "SIGKILL" }))?.verdict).toBe("memory_limit");
    expect(runVerdict(result({ status: "output_limit_exceeded" }))?.verdict).toBe("output_limit");
  });
  it("a signal is a runtime error naming it, whatever the expected exit code", () => {
    expect(runVerdict(result({ status: "failed", exitCode: null, signal: "SIGSEGV" }))).toEqual({
      verdict: "runtime_error",
      feedback: "killed by signal SIGSEGV",
    });
    expect(runVerdict(result({ status: "failed", exitCode: null, signal: "SIGABRT" }), 0)?.verdict).toBe("runtime_error");
  });
  it("a nonzero exit is a runtime error with its code, unless that code was expected", () => {
    expect(runVerdict(result({ status: "failed", exitCode: 3 }))).toEqual({ verdict: "runtime_error", feedback: "exit code 3" });
    expect(runVerdict(result({ status: "failed", exitCode: 3 }), 3)).toBeNull();
    expect(runVerdict(result({ status: "succeeded", exitCode: 0 }), 3)).toEqual({ verdict: "wrong_answer", feedback: "exit code 0, expected 3" });
    expect(runVerdict(result({}))).toBeNull();
  });
  it("a cancelled run ends the grading; other statuses are not a test's result", () => {
    expect(() => runVerdict(result({ status: "cancelled" }))).toThrow(GradingCancelledError);
    expect(() => runVerdict(result({ status: "compile_error" }))).toThrow(/compile_error/);
  });
});

describe("which tests a grading runs", () => {
  const tests = [
    { position: 2, visibility: "after_due" },
    { position: 0, visibility: "visible" },
    { position: 1, visibility: "hidden" },
  ];
  const due = new Date("2026-01-10T12:00:00Z");
  it("kind test: the visible ones, in order, and after_due ones only from the due date on", () => {
    expect(testsToRun("test", tests, due, new Date("2026-01-10T11:59:59Z")).map((t) => t.position)).toEqual([0]);
    expect(testsToRun("test", tests, due, due).map((t) => t.position)).toEqual([0, 2]);
  });
  it("submission and regrade: all, in order", () => {
    expect(testsToRun("submission", tests, due, new Date(0)).map((t) => t.position)).toEqual([0, 1, 2]);
    expect(testsToRun("regrade", tests, due, new Date(0)).map((t) => t.position)).toEqual([0, 1, 2]);
  });
});
