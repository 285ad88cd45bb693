import { z } from "zod";

/**
 * Gradescope's autograder results file (results.json), as existing
 * autograders write it: a top-level score and/or `tests`, each with a name,
 * score, max_score, status (passed/failed), output and visibility. Fields we
 * do not use (execution_time, leaderboard, tags, extra_data, ...) are allowed
 * and ignored, so a results file from any Gradescope autograder is read as is.
 * https://gradescope-autograders.readthedocs.io/en/latest/specs/
 */
export const RESULTS_LIMITS = {
  /** The results file is read up to this size; a larger one is a judge error. */
  maxBytes: 1024 * 1024,
  maxTests: 1000,
  /** Each test's output kept in the summary (the first line of it). */
  summaryOutputChars: 200,
  /** The whole summary (the test's feedback). */
  summaryChars: 8 * 1024,
};

const points = z.number().finite().min(-1e9).max(1e9);

const resultEntry = z.looseObject({
  name: z.string().max(1000).optional(),
  number: z.union([z.string(), z.number()]).optional(),
  score: points.optional(),
  max_score: points.optional(),
  status: z.enum(["passed", "failed"]).optional(),
  output: z.string().optional(),
  visibility: z.string().max(40).optional(),
});

export const gradescopeResultsSchema = z
  .looseObject({
    score: points.optional(),
    output: z.string().optional(),
    tests: z.array(resultEntry).max(RESULTS_LIMITS.maxTests).default([]),
  })
  .refine((r) => r.tests.length > 0, 'it has no tests (the "tests" array is missing or empty)');

export type GradescopeResults = z.infer<typeof gradescopeResultsSchema>;
type Entry = GradescopeResults["tests"][number];

export type ReadResults = { ok: true; results: GradescopeResults } | { ok: false; problem: string };

/** Parses the file's bytes; a problem names what is wrong in words a teacher can act on. */
export function parseGradescopeResults(bytes: Buffer): ReadResults {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch (e) {
    return { ok: false, problem: `it is not JSON (${(e as Error).message.slice(0, 200)})` };
  }
  const parsed = gradescopeResultsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.join(".") : "the top level";
    return { ok: false, problem: `${where}: ${issue.message}` };
  }
  return { ok: true, results: parsed.data };
}

/**
 * The share of the results' points earned, in [0, 1]: sum(score)/sum(max_score)
 * when every test has a max_score (a test without a score then counts its
 * max_score if it passed, else 0), otherwise passed tests / all tests.
 */
export function fractionOf(results: GradescopeResults): number {
  const tests = results.tests;
  if (tests.every((t) => t.max_score !== undefined)) {
    const max = tests.reduce((sum, t) => sum + t.max_score!, 0);
    if (max > 0) {
      const earned = tests.reduce((sum, t) => sum + (t.score ?? (passed(t) ? t.max_score! : 0)), 0);
      return clamp(earned / max);
    }
  }
  return clamp(tests.filter(passed).length / tests.length);
}

/** A test passed: its status says so, or (no status) it earned its max_score. */
export function passed(t: Entry): boolean {
  if (t.status) return t.status === "passed";
  if (t.score !== undefined && t.max_score !== undefined) return t.score >= t.max_score;
  return false;
}

/**
 * One line per test (✓/✗, name, score), then each failed test's first output
 * line, bounded. Tests the autograder itself marks hidden show no output.
 */
export function summarize(results: GradescopeResults): string {
  const tests = results.tests;
  const lines = [`${tests.filter(passed).length}/${tests.length} tests passed`];
  for (const [i, t] of tests.entries()) {
    const name = oneLine(t.name ?? (t.number !== undefined ? `test ${t.number}` : `test ${i + 1}`), 120);
    const score = t.max_score !== undefined ? ` (${t.score ?? (passed(t) ? t.max_score : 0)}/${t.max_score})` : "";
    let line = `${passed(t) ? "✓" : "✗"} ${name}${score}`;
    const hidden = t.visibility !== undefined && t.visibility !== "visible";
    if (!passed(t) && !hidden && t.output?.trim()) line += `: ${oneLine(t.output.trim(), RESULTS_LIMITS.summaryOutputChars)}`;
    lines.push(line);
  }
  const text = lines.join("\n");
  return text.length > RESULTS_LIMITS.summaryChars ? `${text.slice(0, RESULTS_LIMITS.summaryChars)}\n…` : text;
}

function oneLine(s: string, max: number): string {
  const first = s.split("\n")[0]!;
  return first.length > max || s.includes("\n") ? `${first.slice(0, max)}…` : first;
}

function clamp(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}
