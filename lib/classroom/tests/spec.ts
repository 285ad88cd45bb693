import { z } from "zod";

/**
 * An assignment's tests as data: what the teacher edits, imports and exports
 * (one JSON file, `suiteFileSchema`), what the database keeps (columns name,
 * points, visibility, kind, limits, and `spec` holding the kind's own fields)
 * and what the grader runs (runner/grading/). One schema for all three, so a
 * test never means two things.
 */

/** Bounds that keep one test (and an exported file) a reasonable size. */
export const TEST_LIMITS = {
  maxTests: 100,
  /** stdin, expected output, checker answer: each. */
  maxTextBytes: 1024 * 1024,
  maxArgs: 64,
  maxArgBytes: 4096,
  maxFiles: 50,
  maxFileBytes: 256 * 1024,
  maxNameLength: 200,
  maxPoints: 10_000,
};

const text = z.string().refine((s) => Buffer.byteLength(s) <= TEST_LIMITS.maxTextBytes, `at most ${TEST_LIMITS.maxTextBytes} bytes`);
const args = z.array(z.string().max(TEST_LIMITS.maxArgBytes)).max(TEST_LIMITS.maxArgs).default([]);
/** Relative paths like room files (the grader re-checks them as room files are checked). */
const fileSchema = z.object({
  name: z.string().min(1).max(255),
  content: z.string().refine((s) => Buffer.byteLength(s) <= TEST_LIMITS.maxFileBytes, `at most ${TEST_LIMITS.maxFileBytes} bytes`),
});
const files = z.array(fileSchema).max(TEST_LIMITS.maxFiles);

/**
 * How a program's stdout is compared with the expected stdout (outside the
 * sandbox; lib/classroom/compare/):
 * - exact: byte for byte;
 * - trailing_whitespace: each line's trailing spaces/tabs and trailing blank lines ignored (\r\n = \n);
 * - tokens: the same whitespace-separated tokens;
 * - numbers: tokens, numeric ones equal within |a-b| <= absolute or <= relative*|expected|;
 * - regex: the whole stdout matches the expected text read as a JavaScript regular expression (with `flags`).
 */
export const comparisonSchema = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("exact") }).strict(),
  z.object({ mode: z.literal("trailing_whitespace") }).strict(),
  z.object({ mode: z.literal("tokens") }).strict(),
  z
    .object({
      mode: z.literal("numbers"),
      absoluteTolerance: z.number().min(0).max(1e9).default(1e-6),
      relativeTolerance: z.number().min(0).max(1).default(1e-6),
    })
    .strict(),
  z
    .object({
      mode: z.literal("regex"),
      flags: z
        .string()
        .regex(/^[imsu]*$/, "flags may only be i, m, s and u")
        .default(""),
    })
    .strict(),
]);
export type Comparison = z.infer<typeof comparisonSchema>;
export const COMPARISON_MODES = ["exact", "trailing_whitespace", "tokens", "numbers", "regex"] as const;

/** Per-test limits (any subset); missing ones come from the assignment, then the server's defaults. */
export const testLimitsSchema = z
  .object({
    cpuTimeMs: z.number().int().positive(),
    wallTimeMs: z.number().int().positive(),
    memoryMb: z.number().int().positive(),
    outputKb: z.number().int().positive(),
  })
  .partial()
  .strict();
export type TestLimits = z.infer<typeof testLimitsSchema>;

/** stdin and args in; stdout compared with `expectedStdout` by `comparison`; the exit code too when given. */
export const ioSpecSchema = z
  .object({
    stdin: text.default(""),
    args,
    expectedStdout: text,
    expectedExitCode: z.number().int().min(0).max(255).optional(),
    comparison: comparisonSchema.default({ mode: "trailing_whitespace" }),
  })
  .strict();

/**
 * The teacher's checker (Kattis output-validator convention), run in a
 * sandbox of its own, never the student's: `checker.files` in
 * `checker.language`, run as `<program> input_file answer_file feedback_dir
 * [args]` with the student's stdout on its stdin; exit 42 = accepted, 43 =
 * wrong answer, anything else = judge_error; feedback_dir/judgemessage.txt is
 * the message shown.
 */
export const checkerSpecSchema = z
  .object({
    stdin: text.default(""),
    args,
    /** The judge's answer file handed to the checker (the expected output, often). */
    answer: text.default(""),
    checker: z
      .object({
        language: z.string().min(1).max(40),
        files: files.min(1),
        args: args,
      })
      .strict(),
  })
  .strict();

/**
 * A command over the student's files (e.g. `pytest -q`), run in the student's
 * sandbox beside the teacher's `files`, that writes Gradescope's results.json
 * (`resultsFile`, relative to the project folder): each entry of its `tests`
 * becomes a result. The points of this test are scaled by the fraction of
 * the results file's score (`score`/`max_score` of each test, else passed ones).
 */
export const commandSpecSchema = z
  .object({
    command: z.string().min(1).max(2000),
    files: files.default([]),
    resultsFile: z
      .string()
      .min(1)
      .max(255)
      .regex(/^[A-Za-z0-9._/-]+$/, "a relative path of letters, digits, '.', '_', '-' and '/'")
      .default("results.json"),
  })
  .strict();

export const VISIBILITIES = ["visible", "hidden", "after_due"] as const;

const testBase = {
  name: z.string().trim().min(1).max(TEST_LIMITS.maxNameLength),
  points: z.number().min(0).max(TEST_LIMITS.maxPoints).default(1),
  visibility: z.enum(VISIBILITIES).default("visible"),
  limits: testLimitsSchema.default({}),
};

/** One test as the API, the UI and the exported file carry it. */
export const testSchema = z.discriminatedUnion("kind", [
  z.object({ ...testBase, kind: z.literal("io"), ...ioSpecSchema.shape }).strict(),
  z.object({ ...testBase, kind: z.literal("checker"), ...checkerSpecSchema.shape }).strict(),
  z.object({ ...testBase, kind: z.literal("command"), ...commandSpecSchema.shape }).strict(),
]);
export type TestDefinition = z.infer<typeof testSchema>;
export type TestKind = TestDefinition["kind"];

/** The exported / imported file: every test of an assignment, in order. */
export const suiteFileSchema = z
  .object({
    format: z.literal("sam-tests"),
    version: z.literal(1),
    /** The assignment's default limits for every test. */
    limits: testLimitsSchema.default({}),
    tests: z.array(testSchema).max(TEST_LIMITS.maxTests),
  })
  .strict();
export type SuiteFile = z.infer<typeof suiteFileSchema>;

/** The `spec` column's content for a test: the kind's own fields. */
export function specOf(test: TestDefinition): Record<string, unknown> {
  const { name: _n, points: _p, visibility: _v, limits: _l, kind: _k, ...spec } = test;
  return spec;
}

/** A test row (AssignmentTest) back into a definition; throws a ZodError if the stored spec is not one. */
export function definitionOf(row: { name: string; points: number; visibility: string; kind: string; limits: unknown; spec: unknown }): TestDefinition {
  return testSchema.parse({
    ...(row.spec as Record<string, unknown>),
    name: row.name,
    points: row.points,
    visibility: row.visibility,
    kind: row.kind,
    limits: row.limits,
  });
}
