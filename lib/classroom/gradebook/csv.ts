import type { Gradebook } from "./model";

/**
 * The gradebook as CSV (RFC 4180): one row per student, a column per
 * assignment (its final score, empty when missing or not graded yet), the
 * total. Lines end in CRLF; a field holding a comma, a quote or a line break
 * is quoted, quotes doubled.
 *
 * Spreadsheets run a cell that starts with = + - @ (or a tab or carriage
 * return) as a formula: a student named "=HYPERLINK(...)" would run in the
 * teacher's spreadsheet. As OWASP's "CSV Injection" page advises, such a text
 * field is prefixed with a single quote (and then quoted). Numbers are ours
 * and are written as numbers.
 */
export function gradebookCsv(gradebook: Gradebook): string {
  const header = ["Student", ...gradebook.assignments.map((a) => a.title), "Total"].map(textField);
  const rows = gradebook.students.map((s) => [
    textField(s.username),
    ...gradebook.assignments.map((a) => numberField(s.cells[a.id]?.score ?? null)),
    numberField(s.total),
  ]);
  return [header, ...rows].map((fields) => `${fields.join(",")}\r\n`).join("");
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell: neutralized if a spreadsheet would read it as a formula, then quoted as RFC 4180 asks. */
export function textField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n']/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function numberField(value: number | null): string {
  return value === null || !Number.isFinite(value) ? "" : String(value);
}

/** A download name like gradebook-intro-to-c-2026-11-27.csv: ASCII only, safe in a Content-Disposition header. */
export function gradebookFileName(courseName: string, now = new Date()): string {
  const slug = courseName
    .normalize("NFKD")
    .replace(/[^\w\s-]/g, "")
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, "-")
    .slice(0, 60)
    .replace(/-$/, "");
  return `gradebook-${slug || "course"}-${now.toISOString().slice(0, 10)}.csv`;
}
