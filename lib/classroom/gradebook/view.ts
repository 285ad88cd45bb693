import { z } from "zod";
import { rowTotal, type Gradebook, type GradebookRow } from "./model";

/**
 * Filter and sort of the gradebook. Pure, so the same rules run on the server
 * (GET /gradebook?q=...&sort=..., and the CSV) and in the page, which keeps
 * the whole gradebook and re-applies the view as live grades arrive.
 */
export const gradebookViewSchema = z.object({
  /** Part of a student's username (case-insensitive). */
  q: z.string().max(64, "q must be at most 64 characters").optional(),
  /** Only this assignment's column. */
  assignment: z.uuid({ message: "assignment must be an assignment id" }).optional(),
  /** Only students missing a submission, or with a late latest submission (in the shown columns). */
  only: z.enum(["missing", "late"], { message: 'only must be "missing" or "late"' }).optional(),
  /** name, total, or an assignment id: that assignment's score (missing last). */
  sort: z.union([z.enum(["name", "total"]), z.uuid()], { message: "sort must be name, total or an assignment id" }).optional(),
  dir: z.enum(["asc", "desc"], { message: 'dir must be "asc" or "desc"' }).optional(),
});
export type GradebookView = z.infer<typeof gradebookViewSchema>;

export function viewGradebook(gradebook: Gradebook, view: GradebookView): Gradebook {
  const assignments = view.assignment ? gradebook.assignments.filter((a) => a.id === view.assignment) : gradebook.assignments;
  const q = view.q?.trim().toLowerCase();
  let students = gradebook.students
    .filter((s) => !q || s.username.toLowerCase().includes(q))
    .filter((s) => {
      if (view.only === "missing") return assignments.some((a) => !s.cells[a.id]);
      if (view.only === "late") return assignments.some((a) => s.cells[a.id]?.late);
      return true;
    })
    .map((s): GradebookRow => (view.assignment ? { ...s, cells: pick(s.cells, assignments), total: rowTotal(s.cells, assignments) } : s));
  students = sortRows(students, view.sort ?? "name", view.dir ?? (view.sort && view.sort !== "name" ? "desc" : "asc"));
  return { ...gradebook, assignments, students };
}

function pick(cells: GradebookRow["cells"], columns: readonly { id: string }[]): GradebookRow["cells"] {
  return Object.fromEntries(columns.map((c) => [c.id, cells[c.id] ?? null]));
}

const byName = (a: GradebookRow, b: GradebookRow) => a.username.localeCompare(b.username, "en", { sensitivity: "base" }) || a.userId.localeCompare(b.userId);

function sortRows(rows: GradebookRow[], sort: string, dir: "asc" | "desc"): GradebookRow[] {
  const sign = dir === "asc" ? 1 : -1;
  if (sort === "name") return [...rows].sort((a, b) => sign * byName(a, b));
  const key = (r: GradebookRow): number | null => (sort === "total" ? r.total : (r.cells[sort]?.score ?? null));
  return [...rows].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    // Missing or ungraded scores go last whichever the direction: they are what a teacher looks for separately.
    if (ka === null || kb === null) return ka === kb ? byName(a, b) : ka === null ? 1 : -1;
    return sign * (ka - kb) || byName(a, b);
  });
}
