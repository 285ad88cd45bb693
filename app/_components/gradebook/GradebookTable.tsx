"use client";

import Link from "next/link";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { GradebookCell } from "@/lib/classroom/gradebook/cells";
import type { Gradebook } from "@/lib/classroom/gradebook/model";
import { viewGradebook, type GradebookView } from "@/lib/classroom/gradebook/view";
import styles from "./gradebook.module.css";
import { LiveIndicator, useCourseEvents } from "./useCourseEvents";

/** Events come in bursts at a deadline: one reload of the gradebook per this many ms at most. */
const RELOAD_AFTER_MS = 400;
/** How long a changed cell stays highlighted. */
const FLASH_MS = 2500;

const key = (userId: string, assignmentId: string) => `${userId}:${assignmentId}`;
const fingerprint = (c: GradebookCell | null) => (c ? `${c.submissionId}|${c.score}|${c.state}|${c.submissions}` : "");

/**
 * The gradebook table. The whole gradebook is loaded once (server side) and
 * the filter and sort are applied here with the same rules the API uses
 * (viewGradebook), so typing in the filter costs no request. Live: each
 * course event (a grading finished, a submission, an override, a re-grade
 * applied) reloads the gradebook, and the cells that changed flash.
 */
export function GradebookTable({ initial, canRegrade }: { initial: Gradebook; canRegrade: boolean }) {
  const [book, setBook] = useState(initial);
  const [view, setView] = useState<GradebookView>({});
  const [flashing, setFlashing] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string>();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const courseId = initial.course.id;

  const reload = useCallback(async () => {
    const res = await fetch(`/api/v1/courses/${courseId}/gradebook`, { cache: "no-store" });
    if (!res.ok) {
      setError(`The gradebook could not be reloaded (${res.status}); reload the page.`);
      return;
    }
    const next = (await res.json()) as Gradebook;
    setError(undefined);
    setBook((prev) => {
      const changed = new Set<string>();
      const before = new Map(prev.students.map((s) => [s.userId, s]));
      for (const s of next.students) {
        for (const a of next.assignments) {
          if (fingerprint(before.get(s.userId)?.cells[a.id] ?? null) !== fingerprint(s.cells[a.id] ?? null)) changed.add(key(s.userId, a.id));
        }
      }
      if (changed.size) {
        setFlashing(changed);
        setTimeout(() => setFlashing((now) => (now === changed ? new Set() : now)), FLASH_MS);
      }
      return next;
    });
  }, [courseId]);

  const live = useCourseEvents(courseId, (e) => {
    if (e.type === "help") return;
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void reload(), RELOAD_AFTER_MS);
  });
  useEffect(() => () => clearTimeout(timer.current), []);

  const shown = useMemo(() => viewGradebook(book, view), [book, view]);
  const csvHref = useMemo(() => {
    const q = new URLSearchParams({ format: "csv" });
    for (const [k, v] of Object.entries(view)) if (v) q.set(k, v);
    return `/api/v1/courses/${courseId}/gradebook?${q}`;
  }, [courseId, view]);

  const sortBy = (sort: string) =>
    setView((v) => ({ ...v, sort, dir: v.sort === sort ? (v.dir === "asc" ? "desc" : "asc") : sort === "name" ? "asc" : "desc" }));
  const arrow = (sort: string) => ((view.sort ?? "name") === sort ? ((view.dir ?? (sort === "name" ? "asc" : "desc")) === "asc" ? " ▲" : " ▼") : "");

  return (
    <>
      <div className={styles.bar}>
        <LiveIndicator state={live} />
        <a className="button" href={csvHref} download data-testid="csv-download">
          Download CSV
        </a>
      </div>
      <div className={styles.controls}>
        <label>
          Student
          <input
            type="search"
            placeholder="Filter by name"
            value={view.q ?? ""}
            maxLength={64}
            onChange={(e) => setView((v) => ({ ...v, q: e.target.value || undefined }))}
            data-testid="filter-name"
          />
        </label>
        <label>
          Assignment
          <select
            value={view.assignment ?? ""}
            onChange={(e) => setView((v) => ({ ...v, assignment: e.target.value || undefined }))}
            data-testid="filter-assignment"
          >
            <option value="">All assignments</option>
            {book.assignments.map((a) => (
              <option key={a.id} value={a.id}>
                {a.title}
              </option>
            ))}
          </select>
        </label>
        <label>
          Show
          <select
            value={view.only ?? ""}
            onChange={(e) => setView((v) => ({ ...v, only: (e.target.value || undefined) as GradebookView["only"] }))}
            data-testid="filter-only"
          >
            <option value="">Everyone</option>
            <option value="missing">Missing a submission</option>
            <option value="late">Late</option>
          </select>
        </label>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {book.students.length === 0 ? (
        <p className="empty">No students in this course yet.</p>
      ) : (
        <div className={styles.scroll}>
          <table className={styles.table} data-testid="gradebook">
            <thead>
              <tr>
                <th>
                  <button type="button" onClick={() => sortBy("name")}>
                    Student{arrow("name")}
                  </button>
                </th>
                {shown.assignments.map((a) => (
                  <th key={a.id}>
                    <button type="button" onClick={() => sortBy(a.id)}>
                      {a.title}
                      {arrow(a.id)}
                    </button>
                    <span className={styles.sub}>
                      out of {a.maxScore}
                      {canRegrade && (
                        <>
                          {" · "}
                          <Link href={`/assignments/${a.id}/regrades`}>re-grade</Link>
                        </>
                      )}
                    </span>
                  </th>
                ))}
                <th>
                  <button type="button" onClick={() => sortBy("total")}>
                    Total{arrow("total")}
                  </button>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.students.map((s) => (
                <tr key={s.userId} data-testid={`row-${s.userId}`}>
                  <td>{s.username}</td>
                  {shown.assignments.map((a) => (
                    <Cell key={a.id} cell={s.cells[a.id] ?? null} flash={flashing.has(key(s.userId, a.id))} testId={`cell-${s.userId}-${a.id}`} />
                  ))}
                  <td data-testid={`total-${s.userId}`}>{s.total}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {shown.students.length === 0 && book.students.length > 0 && <p className="muted">No student matches the filter.</p>}
    </>
  );
}

const STATE_TEXT = { queued: "queued", grading: "grading…", failed: "grading failed" } as const;

function Cell({ cell, flash, testId }: { cell: GradebookCell | null; flash: boolean; testId: string }) {
  if (!cell) {
    return (
      <td className={`${styles.cell} ${styles.missing}`} data-testid={testId} data-state="missing">
        —
      </td>
    );
  }
  const title = `${cell.submissions} submission${cell.submissions === 1 ? "" : "s"}${cell.late ? `, ${cell.daysLate} day(s) late` : ""}${cell.overridden ? ", score overridden" : ""}`;
  return (
    <td
      className={`${styles.cell} ${flash ? styles.flash : ""}`}
      data-testid={testId}
      data-state={cell.state}
      data-flash={flash ? "yes" : undefined}
      title={title}
    >
      <Link href={`/submissions/${cell.submissionId}`}>
        {cell.score !== null ? (
          <span>
            {cell.score}
            {cell.overridden && "*"}
          </span>
        ) : (
          <span className={cell.state === "failed" ? styles.failed : styles.pending}>{STATE_TEXT[cell.state === "graded" ? "grading" : cell.state]}</span>
        )}
      </Link>
      {cell.late && <span className={styles.late}>late</span>}
      {cell.submissions > 1 && <span className={styles.count}>×{cell.submissions}</span>}
    </td>
  );
}
