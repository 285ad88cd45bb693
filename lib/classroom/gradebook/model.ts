import type { GradebookCell } from "./cells";

/** The gradebook of a course as the API sends it and the page shows it. */
export interface Gradebook {
  course: { id: string; name: string };
  /** Oldest due date first: the columns. */
  assignments: GradebookColumn[];
  /** One row per student of the course. */
  students: GradebookRow[];
}

export interface GradebookColumn {
  id: string;
  title: string;
  dueAt: string;
  /** Sum of the points of the assignment's tests now. */
  maxScore: number;
}

export interface GradebookRow {
  userId: string;
  username: string;
  /** By assignment id; null: never submitted. */
  cells: Record<string, GradebookCell | null>;
  /** Sum of the cells' scores (ungraded and missing count 0). */
  total: number;
}

/** Total of a row's cells (over the given columns). */
export function rowTotal(cells: Record<string, GradebookCell | null>, columns: readonly { id: string }[]): number {
  let total = 0;
  for (const c of columns) total += cells[c.id]?.score ?? 0;
  return Math.round(total * 1000) / 1000;
}
