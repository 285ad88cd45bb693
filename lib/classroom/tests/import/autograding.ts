import { z } from "zod";
import type { TestDefinition } from "../spec";
import { ImportError, type ImportWarning } from "./errors";
import { checkedTests } from "./checked";

/**
 * GitHub Classroom's `.github/classroom/autograding.json` (the education/
 * autograding action): `{tests: [{name, setup, run, input, output,
 * comparison, timeout, points}]}`. There, each test runs `setup` then `run`
 * in a shell, feeds `input` on stdin, fails on a non-zero exit, and compares
 * stdout (line endings normalised, trimmed) with `output`: `included` (a
 * substring), `exact`, or `regex` (a JavaScript regular expression found
 * anywhere). `timeout` is in minutes.
 *
 * Mapped as:
 * - `run` a plain program invocation (`python main.py a b`, `./prog`, `java
 *   Main`, ...): an io test running the student's program with the same
 *   args; exact -> trailing_whitespace over the trimmed expected output;
 *   included / regex -> regex mode wrapped so it may match anywhere;
 *   exit code 0 expected, as there.
 * - anything else (pipes, `&&`, make, pytest, ...): a command test; a
 *   small shell wrapper runs it with the input, compares its output the
 *   same way and writes a one-entry results.json (passed/failed).
 * - `setup` is not run (it usually installs packages, and the sandbox has
 *   no network); every test that had one gets a warning, as does a timeout
 *   above the server's wall-time maximum (lowered to it).
 */
const autogradingTestSchema = z.object({
  name: z.string().trim().min(1),
  setup: z.string().max(10_000).nullish(),
  run: z.string().trim().min(1, "run must not be empty").max(2000),
  input: z.string().nullish(),
  output: z.string().nullish(),
  comparison: z.enum(["included", "exact", "regex"]).nullish(),
  timeout: z.number().positive().nullish(),
  points: z.number().min(0).nullish(),
});
type AutogradingTest = z.infer<typeof autogradingTestSchema>;

export const autogradingFileSchema = z.object({ tests: z.array(z.unknown()) });

/** Interpreters whose first argument is the program file; `java Main` names a class. */
const INTERPRETERS = new Set(["python", "python3", "py", "node", "nodejs", "ruby", "perl", "bash", "sh", "java", "php", "Rscript"]);
/** Characters that make a shell do more than start one program. */
const SHELL_SYNTAX = /[|&;<>()$`\\"'*?{}[\]~!#=\n]/;

/** The args of `run` when it is one program started with plain words (interpreter + file, or ./prog), else undefined. */
export function plainInvocationArgs(run: string): string[] | undefined {
  if (SHELL_SYNTAX.test(run)) return undefined;
  const [program = "", file = "", ...rest] = run.trim().split(/\s+/);
  if (program.startsWith("./") && program.length > 2) return [file, ...rest].filter(Boolean);
  if (INTERPRETERS.has(program) && file && !file.startsWith("-")) return rest;
  return undefined;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const normalise = (s: string) => s.replace(/\r\n?/g, "\n");
/** Single-quoted for a POSIX shell. */
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function ioTest(t: AutogradingTest, args: string[]) {
  const expected = normalise(t.output ?? "").trim();
  const base = { kind: "io" as const, stdin: normalise(t.input ?? ""), args, expectedExitCode: 0 };
  if ((t.comparison ?? "included") === "exact") return { ...base, expectedStdout: expected, comparison: { mode: "trailing_whitespace" as const } };
  const inner = t.comparison === "regex" ? `(?:${t.output ?? ""})` : escapeRegex(expected);
  return { ...base, expectedStdout: `[\\s\\S]*${inner}[\\s\\S]*`, comparison: { mode: "regex" as const, flags: "" } };
}

/** A shell wrapper: runs `run` with the input, checks exit code and output as the action did, writes results.json. */
export function commandWrapper(t: AutogradingTest): string {
  const expected = normalise(t.output ?? "").trim();
  const input = t.input ? `printf '%s' ${sq(normalise(t.input))} | ` : "";
  const pass = `{"tests":[{"name":${JSON.stringify(t.name)},"status":"passed","score":1,"max_score":1}]}`;
  const fail = `{"tests":[{"name":${JSON.stringify(t.name)},"status":"failed","score":0,"max_score":1}]}`;
  let check = "true";
  if (expected) {
    if (t.comparison === "exact") check = `[ "$(printf '%s' "$out" | sed -e 's/^[[:space:]]*//;s/[[:space:]]*$//')" = ${sq(expected)} ]`;
    else if (t.comparison === "regex") check = `printf '%s' "$out" | grep -Eq -- ${sq(t.output ?? "")}`;
    else check = `case "$out" in *${sq(expected)}*) true ;; *) false ;; esac`;
  }
  return `if out=$(${input}( ${t.run}
)) && ${check}; then printf '%s' ${sq(pass)} > results.json; else printf '%s' ${sq(fail)} > results.json; fi`;
}

export function importAutograding(value: unknown, options: { maxWallTimeMs: number }): { tests: TestDefinition[]; warnings: ImportWarning[] } {
  const file = autogradingFileSchema.safeParse(value);
  if (!file.success) throw new ImportError("import_format_unknown", "An autograding.json holds {tests: [...]}.");
  const warnings: ImportWarning[] = [];
  const drafts = file.data.tests.map((raw, i) => {
    const parsed = autogradingTestSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ImportError("invalid_test_file", `tests.${i}${issue?.path.length ? `.${issue.path.join(".")}` : ""}: ${issue?.message}`);
    }
    const t = parsed.data;
    const warn = (message: string) => warnings.push({ test: t.name, message });
    if (t.setup?.trim())
      warn(`its setup step ("${t.setup.trim().slice(0, 200)}") is not run: the sandbox has no network and compiles the student's program itself.`);
    const limits: TestDefinition["limits"] = {};
    if (t.timeout) {
      const ms = Math.round(t.timeout * 60_000);
      limits.wallTimeMs = Math.min(ms, options.maxWallTimeMs);
      if (ms > options.maxWallTimeMs)
        warn(`its timeout of ${t.timeout} minutes is above this server's wall-time maximum; lowered to ${options.maxWallTimeMs} ms.`);
    }
    const args = plainInvocationArgs(t.run);
    const common = { name: t.name, points: t.points ?? 0, visibility: "visible" as const, limits };
    if (args) {
      if (t.comparison === "regex") {
        try {
          new RegExp(t.output ?? "");
        } catch {
          throw new ImportError("invalid_test_file", `"${t.name}": its output is not a valid regular expression.`);
        }
      }
      warn(`runs the student's program (the assignment's language) in place of "${t.run}".`);
      return { ...common, ...ioTest(t, args) };
    }
    if (t.comparison === "regex" && t.output) warn("its regular expression is checked with grep -E over each line, not as JavaScript over the whole output.");
    return { ...common, kind: "command" as const, command: commandWrapper(t), files: [], resultsFile: "results.json" };
  });
  return { tests: checkedTests(drafts), warnings };
}
