/**
 * The tests editor's working copy of one test: every kind's fields at once,
 * as the form holds them (strings), so switching a test's kind back and forth
 * loses nothing. `toDefinition` turns it into what PUT /tests takes; the
 * server validates it (lib/classroom/tests/spec.ts).
 */
export type Kind = "io" | "checker" | "command";
export type Mode = "exact" | "trailing_whitespace" | "tokens" | "numbers" | "regex";
export const MODES: Array<{ mode: Mode; label: string }> = [
  { mode: "trailing_whitespace", label: "Ignore trailing whitespace" },
  { mode: "exact", label: "Exact" },
  { mode: "tokens", label: "Tokens" },
  { mode: "numbers", label: "Numbers within a tolerance" },
  { mode: "regex", label: "Regular expression" },
];
export const LIMIT_FIELDS = [
  { key: "cpuTimeMs", label: "CPU ms" },
  { key: "wallTimeMs", label: "Wall ms" },
  { key: "memoryMb", label: "Memory MB" },
  { key: "outputKb", label: "Output KB" },
] as const;
export type LimitKey = (typeof LIMIT_FIELDS)[number]["key"];

export interface TestDraft {
  key: string;
  kind: Kind;
  name: string;
  points: string;
  visibility: "visible" | "hidden" | "after_due";
  limits: Record<LimitKey, string>;
  stdin: string;
  /** One argument a line. */
  args: string;
  expectedStdout: string;
  expectedExitCode: string;
  mode: Mode;
  absoluteTolerance: string;
  relativeTolerance: string;
  flags: string;
  answer: string;
  checkerLanguage: string;
  checkerFiles: Array<{ name: string; content: string }>;
  checkerArgs: string;
  command: string;
  resultsFile: string;
  commandFiles: Array<{ name: string; content: string }>;
}

let counter = 0;
const newKey = () => `t${Date.now().toString(36)}${(counter++).toString(36)}`;
const lines = (s: string) => (s === "" ? [] : s.split("\n"));
const num = (s: string) => (s.trim() === "" ? undefined : Number(s));

export function emptyDraft(language = "python"): TestDraft {
  return {
    key: newKey(),
    kind: "io",
    name: "",
    points: "1",
    visibility: "visible",
    limits: { cpuTimeMs: "", wallTimeMs: "", memoryMb: "", outputKb: "" },
    stdin: "",
    args: "",
    expectedStdout: "",
    expectedExitCode: "",
    mode: "trailing_whitespace",
    absoluteTolerance: "0.000001",
    relativeTolerance: "0.000001",
    flags: "",
    answer: "",
    checkerLanguage: language,
    checkerFiles: [{ name: "checker.py", content: "" }],
    checkerArgs: "",
    command: "",
    resultsFile: "results.json",
    commandFiles: [],
  };
}

/** A stored test (GET /tests, or an import's answer) as a draft. */
export function draftOf(t: Record<string, any>): TestDraft {
  const d = emptyDraft();
  d.kind = t.kind;
  d.name = t.name;
  d.points = String(t.points);
  d.visibility = t.visibility;
  for (const f of LIMIT_FIELDS) d.limits[f.key] = t.limits?.[f.key] !== undefined ? String(t.limits[f.key]) : "";
  d.stdin = t.stdin ?? "";
  d.args = (t.args ?? []).join("\n");
  if (t.kind === "io") {
    d.expectedStdout = t.expectedStdout;
    d.expectedExitCode = t.expectedExitCode !== undefined && t.expectedExitCode !== null ? String(t.expectedExitCode) : "";
    d.mode = t.comparison.mode;
    if (t.comparison.mode === "numbers") {
      d.absoluteTolerance = String(t.comparison.absoluteTolerance);
      d.relativeTolerance = String(t.comparison.relativeTolerance);
    }
    if (t.comparison.mode === "regex") d.flags = t.comparison.flags;
  }
  if (t.kind === "checker") {
    d.answer = t.answer;
    d.checkerLanguage = t.checker.language;
    d.checkerFiles = t.checker.files;
    d.checkerArgs = t.checker.args.join("\n");
  }
  if (t.kind === "command") {
    d.command = t.command;
    d.resultsFile = t.resultsFile;
    d.commandFiles = t.files;
  }
  return d;
}

function comparisonOf(d: TestDraft) {
  if (d.mode === "numbers") return { mode: d.mode, absoluteTolerance: Number(d.absoluteTolerance), relativeTolerance: Number(d.relativeTolerance) };
  if (d.mode === "regex") return { mode: d.mode, flags: d.flags };
  return { mode: d.mode };
}

/** The draft as a test of testSchema's shape. */
export function toDefinition(d: TestDraft): Record<string, unknown> {
  const limits = Object.fromEntries(LIMIT_FIELDS.map((f) => [f.key, num(d.limits[f.key])]).filter(([, v]) => v !== undefined));
  const common = { name: d.name, points: Number(d.points), visibility: d.visibility, limits, kind: d.kind };
  if (d.kind === "io") {
    return {
      ...common,
      stdin: d.stdin,
      args: lines(d.args),
      expectedStdout: d.expectedStdout,
      ...(num(d.expectedExitCode) !== undefined ? { expectedExitCode: num(d.expectedExitCode) } : {}),
      comparison: comparisonOf(d),
    };
  }
  if (d.kind === "checker") {
    return {
      ...common,
      stdin: d.stdin,
      args: lines(d.args),
      answer: d.answer,
      checker: { language: d.checkerLanguage, files: d.checkerFiles, args: lines(d.checkerArgs) },
    };
  }
  return { ...common, command: d.command, resultsFile: d.resultsFile, files: d.commandFiles };
}
