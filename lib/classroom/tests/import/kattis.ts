import { parse as parseYaml } from "yaml";
import { TEST_LIMITS, type Comparison, type TestDefinition } from "../spec";
import { checkedTests } from "./checked";
import { ImportError, type ImportWarning } from "./errors";

/**
 * A Kattis problem package (problemarchive.org format, legacy and 2023-07):
 * - data/sample/**.in + .ans -> visible io tests; data/secret/**.in + .ans -> hidden;
 * - the default output validator compares tokens; `float_tolerance e`
 *   (or float_absolute_tolerance / float_relative_tolerance) in
 *   problem.yaml's validator_flags or data/testdata.yaml's
 *   output_validator_flags -> numbers within that tolerance;
 * - `validation: custom` with output_validators/<name>/ (output_validator/
 *   in the new format) -> checker tests running the validator's source (our
 *   checkers speak the same convention: exit 42/43, feedback dir), its
 *   language from the file extension, the flags as its args;
 * - the statement from problem_statement/ (or statement/) problem.en.md,
 *   problem.md, problem.en.tex or problem.tex; the title from `name`.
 * - the time limit (limits.time_limit, or .timelimit) as each test's CPU limit, twice that as wall time.
 * Interactive problems cannot be imported (no interactor here).
 */
export interface KattisImport {
  tests: TestDefinition[];
  warnings: ImportWarning[];
  statement?: string;
  title?: string;
}

const decoder = new TextDecoder("utf-8");
const text = (bytes: Uint8Array) => decoder.decode(bytes);

const LANGUAGE_BY_EXTENSION: Record<string, string> = {
  py: "python",
  c: "c",
  cc: "cpp",
  cpp: "cpp",
  cxx: "cpp",
  java: "java",
  js: "javascript",
  sh: "bash",
};
const extension = (name: string) => name.slice(name.lastIndexOf(".") + 1).toLowerCase();

/** Natural order, so 2.in comes before 10.in. */
const naturally = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

/** The package's files relative to its root (the folder holding problem.yaml or data/), wherever the zip put it. */
function packageFiles(files: Map<string, Uint8Array>): Map<string, Uint8Array> {
  const roots = [...files.keys()]
    .map((p) => /^(.*?)(?:problem\.yaml|data\/(?:sample|secret)\/.*)$/.exec(p)?.[1])
    .filter((r): r is string => r !== undefined)
    .sort((a, b) => a.length - b.length);
  if (!roots.length)
    throw new ImportError("invalid_test_file", "This zip is not a Kattis problem package: it has no problem.yaml and no data/sample or data/secret folder.");
  const root = roots[0] ?? "";
  const out = new Map<string, Uint8Array>();
  for (const [p, b] of files) if (p.startsWith(root)) out.set(p.slice(root.length), b);
  return out;
}

/**
 * The most bytes of a package's YAML file that are parsed. problem.yaml and
 * testdata.yaml hold a few settings; the YAML parser is slow on large input
 * (8 MiB of "- x" lines, what a zip entry may hold, took over a minute of the
 * web process's only thread), so a larger file is refused unread.
 */
export const MAX_YAML_BYTES = 64 * 1024;

function yamlOf(files: Map<string, Uint8Array>, path: string): Record<string, unknown> {
  const bytes = files.get(path);
  if (!bytes) return {};
  if (bytes.length > MAX_YAML_BYTES) {
    throw new ImportError("invalid_test_file", `${path} is ${bytes.length} bytes; a package's YAML files may be at most ${MAX_YAML_BYTES} bytes.`);
  }
  try {
    const value = parseYaml(text(bytes), { maxAliasCount: 100 });
    return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  } catch (err) {
    throw new ImportError("invalid_test_file", `${path} is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
}

/** The default validator's flags as a comparison (tokens, or numbers within a tolerance). */
export function comparisonOfFlags(flags: string[], warnings: ImportWarning[]): Comparison {
  const value = (name: string) => {
    const i = flags.indexOf(name);
    const n = i >= 0 ? Number(flags[i + 1]) : Number.NaN;
    return Number.isFinite(n) && n >= 0 ? n : undefined;
  };
  const both = value("float_tolerance");
  const absolute = value("float_absolute_tolerance") ?? both;
  const relative = value("float_relative_tolerance") ?? both;
  if (!flags.includes("case_sensitive")) {
    warnings.push({ message: "Kattis's default validator ignores letter case unless case_sensitive is set; the imported tests compare letter case." });
  }
  if (flags.includes("space_change_sensitive")) {
    warnings.push({ message: "space_change_sensitive is not kept: the imported tests compare tokens, ignoring how much whitespace is between them." });
  }
  if (absolute === undefined && relative === undefined) return { mode: "tokens" };
  return { mode: "numbers", absoluteTolerance: absolute ?? 0, relativeTolerance: Math.min(relative ?? 0, 1) };
}

const flagList = (v: unknown): string[] => (typeof v === "string" ? v.trim().split(/\s+/).filter(Boolean) : []);

/** The custom output validator's files (the first one, when there are several) and its language. */
function customValidator(files: Map<string, Uint8Array>, warnings: ImportWarning[]) {
  const paths = [...files.keys()].filter((p) => /^output_validators?\//.test(p)).sort(naturally);
  if (!paths.length) throw new ImportError("invalid_test_file", "problem.yaml asks for a custom validator, but the package has no output_validators/ folder.");
  const firstPath = paths[0] ?? "";
  const first = firstPath.split("/");
  // output_validators/<name>/... or a single file output_validators/<file>.
  const prefix = first.length > 2 ? `${first[0]}/${first[1]}/` : `${first[0]}/`;
  const own = paths.filter((p) => (first.length > 2 ? p.startsWith(prefix) : p === firstPath));
  if (paths.some((p) => !own.includes(p))) warnings.push({ message: `The package has more than one output validator; ${prefix} is used.` });
  if (own.length > TEST_LIMITS.maxFiles)
    throw new ImportError("invalid_test_file", `The output validator has ${own.length} files; a checker may have at most ${TEST_LIMITS.maxFiles}.`);
  const checkerFiles = own.map((p) => ({ name: p.slice(prefix.length), content: text(files.get(p)!) }));
  const sources = checkerFiles.filter((f) => LANGUAGE_BY_EXTENSION[extension(f.name)]);
  // The entry point: a file named like the validator, else the first source that is not a header-like helper.
  const main = sources.find((f) => /^(validate|validator|check|checker|main)\./i.test(f.name)) ?? sources[0];
  if (!main)
    throw new ImportError(
      "invalid_test_file",
      `The output validator (${prefix}) has no source in a language this server knows (.py, .c, .cpp, .java, .js, .sh).`,
    );
  return { language: LANGUAGE_BY_EXTENSION[extension(main.name)], files: [main, ...checkerFiles.filter((f) => f !== main)] };
}

function statementOf(files: Map<string, Uint8Array>, warnings: ImportWarning[]): string | undefined {
  for (const dir of ["problem_statement", "statement"]) {
    for (const name of ["problem.en.md", "problem.md", "problem.en.tex", "problem.tex"]) {
      const bytes = files.get(`${dir}/${name}`);
      if (!bytes) continue;
      if (name.endsWith(".tex")) warnings.push({ message: `The statement is LaTeX (${dir}/${name}); it is kept as it is: edit it into Markdown.` });
      return text(bytes);
    }
  }
  return undefined;
}

export interface KattisOptions {
  /** The server's maxima: a package's time limit above them is lowered to them (with a warning). */
  maxCpuTimeMs: number;
  maxWallTimeMs: number;
}

/**
 * The package's time limit, when it states one: problem.yaml's
 * `limits.time_limit` (2023-07 format, seconds) or a `.timelimit` file
 * (seconds, as DOMjudge writes). It becomes each test's CPU limit, with twice
 * that on the wall clock (Kattis's own margin for I/O). Legacy packages give
 * only a multiplier of a reference solution's time, which cannot be known here.
 */
function limitsOf(files: Map<string, Uint8Array>, problem: Record<string, unknown>, options: KattisOptions, warnings: ImportWarning[]) {
  const stated = (problem.limits as Record<string, unknown> | undefined)?.time_limit;
  const fromFile = files.get(".timelimit");
  const seconds = typeof stated === "number" ? stated : fromFile ? Number(text(fromFile).trim()) : undefined;
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) {
    if (problem.limits && typeof problem.limits === "object") {
      warnings.push({ message: "problem.yaml's limits state no time_limit in seconds; set the time limits on the assignment." });
    }
    return {};
  }
  const cpuTimeMs = Math.ceil(seconds * 1000);
  const limits = { cpuTimeMs: Math.min(cpuTimeMs, options.maxCpuTimeMs), wallTimeMs: Math.min(cpuTimeMs * 2, options.maxWallTimeMs) };
  if (cpuTimeMs > options.maxCpuTimeMs || cpuTimeMs * 2 > options.maxWallTimeMs) {
    warnings.push({
      message: `The time limit of ${seconds} s is above this server's maximum; lowered to ${limits.cpuTimeMs} ms of CPU and ${limits.wallTimeMs} ms of wall time.`,
    });
  }
  return limits;
}

export function importKattis(zipFiles: Map<string, Uint8Array>, options: KattisOptions): KattisImport {
  const files = packageFiles(zipFiles);
  const warnings: ImportWarning[] = [];
  const problem = yamlOf(files, "problem.yaml");
  const testdata = yamlOf(files, "data/testdata.yaml");
  const validation = String(problem.validation ?? "default");
  const type = String(problem.type ?? "");
  if (/interactive/.test(validation) || /interactive/.test(type) || [...files.keys()].some((p) => p.endsWith(".interaction"))) {
    throw new ImportError("invalid_test_file", "Interactive Kattis problems cannot be imported: this server has no interactor.");
  }
  if (/score/.test(validation) || /scoring/.test(type))
    warnings.push({ message: "This is a scoring problem: each test is imported as pass/fail worth 1 point." });
  const flags = [
    ...flagList(problem.validator_flags),
    ...flagList(testdata.output_validator_flags),
    ...flagList((problem.validator_flags as Record<string, unknown> | undefined)?.output_validator_flags),
  ];
  const custom = /custom/.test(validation) || [...files.keys()].some((p) => p.startsWith("output_validator/"));
  const comparison = custom ? undefined : comparisonOfFlags(flags, warnings);
  const checker = custom ? { ...customValidator(files, warnings), args: flags } : undefined;
  const limits = limitsOf(files, problem, options, warnings);

  const drafts: unknown[] = [];
  for (const group of ["sample", "secret"] as const) {
    const inputs = [...files.keys()].filter((p) => p.startsWith(`data/${group}/`) && p.endsWith(".in")).sort(naturally);
    for (const input of inputs) {
      const name = input.slice("data/".length, -".in".length);
      const answer = files.get(`${input.slice(0, -".in".length)}.ans`);
      if (!answer) {
        warnings.push({ test: name, message: `${input} has no .ans beside it; left out.` });
        continue;
      }
      const common = { name, points: 1, visibility: group === "sample" ? "visible" : "hidden", limits };
      if (checker) drafts.push({ ...common, kind: "checker", stdin: text(files.get(input)!), args: [], answer: text(answer), checker });
      else drafts.push({ ...common, kind: "io", stdin: text(files.get(input)!), args: [], expectedStdout: text(answer), comparison });
    }
  }
  if (!drafts.length) throw new ImportError("invalid_test_file", "The package has no test cases (data/sample/*.in and data/secret/*.in, each with its .ans).");
  const title =
    typeof problem.name === "string"
      ? problem.name
      : typeof (problem.name as Record<string, unknown>)?.en === "string"
        ? String((problem.name as Record<string, unknown>).en)
        : undefined;
  return { tests: checkedTests(drafts), warnings, statement: statementOf(files, warnings), title };
}
