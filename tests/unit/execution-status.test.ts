import { describe, expect, it } from "vitest";
import { EXECUTION_STATUSES, isFinal } from "../../lib/executions/status";

describe("execution statuses", () => {
  it("only queued and running are not final", () => {
    expect(EXECUTION_STATUSES.filter((s) => !isFinal(s))).toEqual(["queued", "running"]);
  });

  it("has the verdicts a judge reports, each once", () => {
    expect(new Set(EXECUTION_STATUSES).size).toBe(EXECUTION_STATUSES.length);
    for (const s of [
      "succeeded",
      "failed",
      "compile_error",
      "time_limit_exceeded",
      "memory_limit_exceeded",
      "output_limit_exceeded",
      "cancelled",
      "internal_error",
    ] as const) {
      expect(isFinal(s)).toBe(true);
    }
  });
});
