import { parse } from "csv-parse/sync";
import { USERNAME_PATTERN, usernameKey } from "../../accounts/credentials";
import { type CourseRole, isCourseRole } from "../roles";
import { COURSE_LIMITS } from "./limits";

/**
 * A roster upload, read and checked without the database: columns `username`
 * and optionally `role` (teacher, ta or student; empty means student). The
 * header row is optional: a first row with a cell "username" (any case) is
 * taken as one, and then its columns may come in any order and extra columns
 * (a spreadsheet's name or e-mail) are ignored. Without a header the columns
 * are username, then role. Quoting follows RFC 4180 (csv-parse). Every
 * problem is reported with its line, and a roster with any problem is
 * refused whole (the caller changes nothing).
 */
export interface RosterRow {
  line: number;
  username: string;
  role: CourseRole;
}
export interface RosterProblem {
  /** 1-based line of the file (the line a record ends on); null when the file as a whole is wrong. */
  line: number | null;
  problem: string;
}
export type RosterParse = { ok: true; rows: RosterRow[] } | { ok: false; problems: RosterProblem[] };

/** At most this many problems are listed: enough to fix a file, bounded however bad it is. */
export const MAX_PROBLEMS_LISTED = 50;

interface Columns {
  username: number;
  role: number | undefined;
  /** Whether the file names its columns (then extra ones are allowed). */
  named: boolean;
}

export function parseRosterCsv(text: string): RosterParse {
  if (Buffer.byteLength(text, "utf8") > COURSE_LIMITS.csvBytes) {
    return fail(null, `The file is larger than ${COURSE_LIMITS.csvBytes / 1024} KiB; split it into smaller uploads.`);
  }
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { bom: true, info: true, trim: true, skip_empty_lines: true, relax_column_count: true, max_record_size: 4096 }) as never;
  } catch (err) {
    const csv = err as { message?: string; lines?: number };
    return fail(typeof csv.lines === "number" ? csv.lines : null, `The file is not valid CSV: ${csv.message ?? String(err)}.`);
  }
  records = records.filter((r) => r.record.some((cell) => cell !== ""));
  if (records.length === 0) return fail(null, "The file holds no rows; put one username per line (a header row `username,role` is optional).");

  const columns = headerOf(records[0]!.record);
  if ("problem" in columns) return fail(records[0]!.info.lines, columns.problem);
  const body = columns.named ? records.slice(1) : records;
  if (body.length === 0) return fail(null, "The file has a header row but no usernames under it.");
  if (body.length > COURSE_LIMITS.csvRows) return fail(null, `The file has ${body.length} rows; at most ${COURSE_LIMITS.csvRows} are taken at once.`);

  const rows: RosterRow[] = [];
  const problems: RosterProblem[] = [];
  const firstLineOf = new Map<string, number>();
  for (const { record, info } of body) {
    const line = info.lines;
    const problem = rowProblem(record, columns);
    if (typeof problem === "string") {
      problems.push({ line, problem });
      continue;
    }
    const key = usernameKey(problem.username);
    const seen = firstLineOf.get(key);
    if (seen !== undefined) {
      problems.push({ line, problem: `"${problem.username}" is already on line ${seen}; list each person once.` });
      continue;
    }
    firstLineOf.set(key, line);
    rows.push({ line, ...problem });
  }
  if (problems.length > 0) return { ok: false, problems: problems.slice(0, MAX_PROBLEMS_LISTED) };
  return { ok: true, rows };
}

function headerOf(first: string[]): Columns | { problem: string } {
  const names = first.map((c) => c.toLowerCase());
  if (!names.includes("username")) {
    // No header: username, then an optional role.
    return { username: 0, role: 1, named: false };
  }
  const username = names.indexOf("username");
  if (names.indexOf("username", username + 1) !== -1) return { problem: "The header names the column `username` twice." };
  const role = names.indexOf("role");
  if (role !== -1 && names.indexOf("role", role + 1) !== -1) return { problem: "The header names the column `role` twice." };
  return { username, role: role === -1 ? undefined : role, named: true };
}

function rowProblem(record: string[], columns: Columns): string | { username: string; role: CourseRole } {
  if (!columns.named && record.length > 2) {
    return `has ${record.length} columns; without a header row a line holds a username and optionally a role (add a header row \`username,role\` to keep other columns).`;
  }
  const username = record[columns.username] ?? "";
  if (username === "") return "the username is empty.";
  if (!USERNAME_PATTERN.test(username)) return `"${clip(username)}" is not a username (3-32 letters, digits, '-' or '_').`;
  const typed = columns.role === undefined ? "" : (record[columns.role] ?? "");
  const role = typed === "" ? "student" : typed.toLowerCase();
  if (!isCourseRole(role)) return `the role "${clip(typed)}" is none of teacher, ta, student.`;
  return { username, role };
}

const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

function fail(line: number | null, problem: string): RosterParse {
  return { ok: false, problems: [{ line, problem }] };
}

/** The problems as one sentence for an error message ("line 3: ...; line 5: ..."). */
export function describeProblems(problems: RosterProblem[]): string {
  return problems.map((p) => (p.line === null ? p.problem : `line ${p.line}: ${p.problem}`)).join("; ");
}
