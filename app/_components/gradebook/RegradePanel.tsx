"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import type { RegradeProgress } from "@/lib/classroom/regrades/progress";
import type { SubmissionChange } from "@/lib/classroom/regrades/diff";
import { api, ApiFailure } from "../room/api";
import styles from "./gradebook.module.css";
import { LiveIndicator, useCourseEvents } from "./useCourseEvents";

type Detail = RegradeProgress & { preview: SubmissionChange[] };

const RELOAD_AFTER_MS = 400;

/**
 * A teacher's re-grades of one assignment: start one, watch its progress
 * (live: each finished grading of the course reloads it), preview which
 * scores change, then apply or cancel.
 */
export function RegradePanel({ assignmentId, courseId, canChange }: { assignmentId: string; courseId: string; canChange: boolean }) {
  const [sets, setSets] = useState<RegradeProgress[]>([]);
  const [detail, setDetail] = useState<Detail>();
  const [all, setAll] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = useCallback(async () => {
    try {
      const { regrades } = await api<{ regrades: RegradeProgress[] }>(`/api/v1/assignments/${assignmentId}/regrades`);
      setSets(regrades);
      const latest = regrades[0];
      setDetail(latest ? await api<Detail>(`/api/v1/regrades/${latest.id}?changes=${all ? "all" : "only"}`) : undefined);
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "The re-grades could not be loaded; reload the page.");
    }
  }, [assignmentId, all]);

  useEffect(() => {
    void load();
  }, [load]);

  const live = useCourseEvents(courseId, (e) => {
    if (e.data.assignmentId !== assignmentId || (e.type !== "grading" && e.type !== "regrade")) return;
    clearTimeout(timer.current);
    timer.current = setTimeout(() => void load(), RELOAD_AFTER_MS);
  });
  useEffect(() => () => clearTimeout(timer.current), []);

  const act = async (path: string) => {
    setBusy(true);
    setError(undefined);
    try {
      await api(path, { method: "POST" });
      await load();
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "That did not work; try again.");
    } finally {
      setBusy(false);
    }
  };

  const open = detail && (detail.status === "running" || detail.status === "ready");
  const finished = detail && detail.done >= detail.total;
  return (
    <section data-testid="regrades">
      <div className={styles.bar}>
        <LiveIndicator state={live} />
        {canChange && !open && (
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => void act(`/api/v1/assignments/${assignmentId}/regrades`)}
            data-testid="start-regrade"
          >
            Re-grade every submission
          </button>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {!detail && (
        <p className="empty">No re-grade yet. A re-grade runs every submission against the tests as they are now; nothing changes until you apply it.</p>
      )}
      {detail && (
        <div data-testid="regrade" data-status={detail.status}>
          <h2>
            Re-grade of {new Date(detail.createdAt).toLocaleString()}: <span data-testid="regrade-status">{detail.status}</span>
          </h2>
          <p>
            <span data-testid="regrade-progress">
              {detail.done} / {detail.total}
            </span>{" "}
            graded{detail.failed > 0 && `, ${detail.failed} failed (those keep their current score)`}
          </p>
          <div
            className={styles.progress}
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={detail.total}
            aria-valuenow={detail.done}
            aria-label="Re-grade progress"
          >
            <div style={{ width: `${detail.total ? (100 * detail.done) / detail.total : 100}%` }} />
          </div>
          {canChange && open && (
            <div className={styles.actions}>
              <button
                type="button"
                className="primary"
                disabled={busy || !finished}
                onClick={() => void act(`/api/v1/regrades/${detail.id}/apply`)}
                data-testid="apply-regrade"
              >
                Apply the new scores
              </button>
              <button
                type="button"
                className="danger"
                disabled={busy}
                onClick={() => void act(`/api/v1/regrades/${detail.id}/cancel`)}
                data-testid="cancel-regrade"
              >
                Cancel
              </button>
            </div>
          )}
          <label>
            <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> Show unchanged submissions too
          </label>
          <Preview rows={detail.preview} />
        </div>
      )}
      {sets.length > 1 && (
        <>
          <h3>Earlier re-grades</h3>
          <ul>
            {sets.slice(1).map((s) => (
              <li key={s.id}>
                {new Date(s.createdAt).toLocaleString()}: {s.status}, {s.done}/{s.total}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Preview({ rows }: { rows: SubmissionChange[] }) {
  if (rows.length === 0) return <p className="muted">No finished submission changes so far.</p>;
  return (
    <div className={styles.scroll}>
      <table className={styles.table} data-testid="regrade-preview">
        <thead>
          <tr>
            <th>Student</th>
            <th>Submission</th>
            <th>Score now</th>
            <th>After</th>
            <th>Tests that change</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const trend = r.newScore !== null && r.oldScore !== null && r.newScore !== r.oldScore ? (r.newScore > r.oldScore ? styles.up : styles.down) : "";
            return (
              <tr key={r.submissionId}>
                <td>{r.username}</td>
                <td>
                  <a href={`/submissions/${r.submissionId}`}>#{r.number}</a>
                </td>
                <td>{r.oldScore ?? "—"}</td>
                <td className={trend}>
                  {r.failed ? "failed: keeps its score" : (r.newScore ?? "—")}
                  {r.overridden && " (overridden)"}
                </td>
                <td style={{ textAlign: "left", whiteSpace: "normal" }}>
                  {r.tests.map((t) => `${t.name}: ${t.oldVerdict ?? "—"} → ${t.newVerdict ?? "—"}`).join("; ") || "none"}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
