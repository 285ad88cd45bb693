import { describeIssues } from "../../../http/errors";
import { suiteFileSchema, type TestDefinition, type TestLimits } from "../spec";
import { autogradingFileSchema, importAutograding } from "./autograding";
import { ImportError, type ImportWarning } from "./errors";
import { importKattis } from "./kattis";
import { looksLikeZip, readZip, ZIP_LIMITS, type ZipLimits } from "./zip";

/**
 * One upload, three formats, told apart by content (not by name or type,
 * which the client sets): a zip is a Kattis problem package; JSON with
 * `format: "sam-tests"` is our own export; JSON with `tests` whose entries
 * have `run` is GitHub Classroom's autograding.json.
 */
export type ImportFormat = "sam-tests" | "autograding" | "kattis";

export interface ImportResult {
  format: ImportFormat;
  tests: TestDefinition[];
  warnings: ImportWarning[];
  /** The suite file's default limits (sam-tests only). */
  limits?: TestLimits;
  /** Kattis: the statement and the problem's name, when the package has them. */
  statement?: string;
  title?: string;
}

export interface ImportOptions {
  /** The server's maxima: autograding timeouts and Kattis time limits above them are lowered to them. */
  maxWallTimeMs: number;
  maxCpuTimeMs: number;
  zipLimits?: ZipLimits;
}

export function importTests(body: Uint8Array, options: ImportOptions): ImportResult {
  if (looksLikeZip(body)) return { format: "kattis", ...importKattis(readZip(body, options.zipLimits ?? ZIP_LIMITS), options) };
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8").decode(body));
  } catch {
    throw new ImportError(
      "import_format_unknown",
      "The upload is neither a zip (a Kattis problem package) nor JSON (a SAM tests file or GitHub Classroom's autograding.json).",
    );
  }
  if (value && typeof value === "object" && (value as { format?: unknown }).format === "sam-tests") {
    const parsed = suiteFileSchema.safeParse(value);
    if (!parsed.success) throw new ImportError("invalid_test_file", `The SAM tests file is not valid: ${describeIssues(parsed.error)}`);
    return { format: "sam-tests", tests: parsed.data.tests, warnings: [], limits: parsed.data.limits };
  }
  const autograding = autogradingFileSchema.safeParse(value);
  if (autograding.success && autograding.data.tests.every((t) => t && typeof t === "object" && "run" in t)) {
    return { format: "autograding", ...importAutograding(value, { maxWallTimeMs: options.maxWallTimeMs }) };
  }
  throw new ImportError(
    "import_format_unknown",
    'This JSON is neither a SAM tests file ({"format": "sam-tests", ...}) nor an autograding.json ({"tests": [{"name", "run", ...}]}).',
  );
}
