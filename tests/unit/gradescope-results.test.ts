import { describe, expect, it } from "vitest";
import { fractionOf, parseGradescopeResults, RESULTS_LIMITS, summarize } from "../../runner/grading/gradescope-results";

/** Gradescope's results.json as command tests read it (runner/grading/gradescope-results.ts). */
const parse = (json: unknown) => parseGradescopeResults(Buffer.from(typeof json === "string" ? json : JSON.stringify(json)));
function results(json: unknown) {
  const r = parse(json);
  if (!r.ok) throw new Error(r.problem);
  return r.results;
}

describe("parseGradescopeResults", () => {
  it("reads a results file from an existing autograder, extra fields and all", () => {
    const r = results({
      score: 3,
      execution_time: 12,
      stdout_visibility: "visible",
      tests: [
        { name: "add", score: 2, max_score: 2, status: "passed", output: "", visibility: "visible", tags: ["x"], number: "1.1" },
        { name: "div", score: 1, max_score: 3 },
      ],
    });
    expect(r.tests).toHaveLength(2);
  });

  it("says what is wrong with a malformed file", () => {
    expect(parse("{ not json")).toMatchObject({ ok: false, problem: expect.stringContaining("not JSON") });
    expect(parse({ tests: "all good" })).toMatchObject({ ok: false, problem: expect.stringMatching(/^tests: /) });
    expect(parse({ tests: [{ name: "a", score: "full" }] })).toMatchObject({ ok: false, problem: expect.stringMatching(/^tests\.0\.score: /) });
    expect(parse({ tests: [{ name: "a", status: "ok" }] })).toMatchObject({ ok: false, problem: expect.stringMatching(/^tests\.0\.status: /) });
    expect(parse({ score: 10 })).toMatchObject({ ok: false, problem: expect.stringContaining("no tests") });
    expect(parse([])).toMatchObject({ ok: false });
    expect(parse({ tests: Array.from({ length: RESULTS_LIMITS.maxTests + 1 }, () => ({ status: "passed" })) })).toMatchObject({ ok: false });
  });
});

describe("fractionOf", () => {
  it("is sum(score)/sum(max_score) when every test has a max_score", () => {
    expect(
      fractionOf(
        results({
          tests: [
            { score: 2, max_score: 2 },
            { score: 1, max_score: 3 },
          ],
        }),
      ),
    ).toBeCloseTo(3 / 5);
  });

  it("counts a test without a score by its status then", () => {
    expect(
      fractionOf(
        results({
          tests: [
            { max_score: 1, status: "passed" },
            { max_score: 3, status: "failed" },
          ],
        }),
      ),
    ).toBeCloseTo(1 / 4);
  });

  it("is passed/total when scores are absent (or every max_score is 0)", () => {
    expect(fractionOf(results({ tests: [{ status: "passed" }, { status: "failed" }, { status: "passed" }] }))).toBeCloseTo(2 / 3);
    expect(
      fractionOf(
        results({
          tests: [
            { score: 0, max_score: 0, status: "passed" },
            { score: 0, max_score: 0, status: "failed" },
          ],
        }),
      ),
    ).toBe(0.5);
  });

  it("is clamped to [0, 1] (extra credit, negative scores)", () => {
    expect(fractionOf(results({ tests: [{ score: 5, max_score: 2 }] }))).toBe(1);
    expect(fractionOf(results({ tests: [{ score: -5, max_score: 2 }] }))).toBe(0);
  });
});

describe("summarize", () => {
  it("lists each test with its score and a failed test's first output line", () => {
    const text = summarize(
      results({
        tests: [
          { name: "add", score: 1, max_score: 1, status: "passed" },
          { name: "div", score: 0, max_score: 2, status: "failed", output: "ZeroDivisionError\nTraceback ..." },
        ],
      }),
    );
    expect(text).toBe("1/2 tests passed\n✓ add (1/1)\n✗ div (0/2): ZeroDivisionError…");
  });

  it("shows no output of a test the autograder marks hidden", () => {
    const text = summarize(results({ tests: [{ name: "secret", status: "failed", output: "expected 42", visibility: "hidden" }] }));
    expect(text).toBe("0/1 tests passed\n✗ secret");
  });

  it("stays bounded however many tests and however long their output", () => {
    const tests = Array.from({ length: RESULTS_LIMITS.maxTests }, (_, i) => ({ name: `t${i}`.repeat(50), status: "failed", output: "x".repeat(10_000) }));
    expect(summarize(results({ tests })).length).toBeLessThanOrEqual(RESULTS_LIMITS.summaryChars + 2);
  });
});
