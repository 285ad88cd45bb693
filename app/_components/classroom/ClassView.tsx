"use client";

import { useCallback, useEffect, useState } from "react";
import { VERDICT_LABELS, VERDICT_SHORT, type Verdict } from "@/lib/classroom/verdicts";
import { api, ApiFailure } from "../room/api";
import styles from "./classroom.module.css";

/** GET /api/v1/assignments/:id/class, as JSON. */
interface ClassData {
  tests: Array<{ id: string; name: string; points: number }>;
  students: Array<{
    userId: string;
    username: string;
    roomId: string | null;
    lastActivityAt: string | null;
    help: { requestedAt: string; message: string | null } | null;
    grading: { kind: "test" | "submission"; finishedAt: string; compileError: boolean } | null;
    verdicts: Record<string, Verdict>;
    passed: number;
  }>;
  mostFailed: { testId: string; name: string; failing: number; graded: number } | null;
  helpQueue: Array<{ userId: string; username: string; roomId: string; requestedAt: string; message: string | null }>;
}

/**
 * How often the view asks again. Polling, not the course's event stream: one
 * small query set every few seconds per open view is cheap, works through any
 * proxy, and shows changes the stream does not carry (a room opened, edits).
 */
const REFRESH_MS = 4000;

const since = (iso: string, now: number) => {
  const minutes = Math.max(0, Math.floor((now - new Date(iso).getTime()) / 60_000));
  return minutes === 0 ? "just now" : minutes < 60 ? `${minutes} min ago` : `${Math.floor(minutes / 60)} h ${minutes % 60} min ago`;
};

/** The class view: help queue first, then one row per student and one column per test they can see. */
export function ClassView({ assignmentId, title }: { assignmentId: string; title: string }) {
  const [data, setData] = useState<ClassData>();
  const [problem, setProblem] = useState<string>();
  const [now, setNow] = useState(() => Date.now());

  const load = useCallback(async () => {
    try {
      setData(await api<ClassData>(`/api/v1/assignments/${assignmentId}/class`));
      setProblem(undefined);
    } catch (err) {
      setProblem(err instanceof ApiFailure ? err.message : "The class could not be loaded; retrying.");
    }
    setNow(Date.now());
  }, [assignmentId]);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  const resolve = async (userId: string) => {
    try {
      await api(`/api/v1/assignments/${assignmentId}/help?userId=${encodeURIComponent(userId)}`, { method: "DELETE" });
    } catch (err) {
      setProblem(err instanceof ApiFailure ? err.message : "The request could not be resolved; try again.");
    }
    await load();
  };

  return (
    <>
      <h1>{title}: the class</h1>
      <p className="muted">
        Refreshes every few seconds. <a href={`/assignments/${assignmentId}`}>Back to the assignment</a>
      </p>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      {!data ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <section aria-labelledby="help-queue">
            <h2 id="help-queue">Asking for help ({data.helpQueue.length})</h2>
            {data.helpQueue.length === 0 ? (
              <p className="muted">Nobody is waiting for help.</p>
            ) : (
              <ol className={styles.queue} data-testid="help-queue">
                {data.helpQueue.map((h) => (
                  <li key={h.userId} data-testid="help-request">
                    <strong>{h.username}</strong> <span className="muted">since {since(h.requestedAt, now)}</span>
                    {h.message && <q className={styles.message}>{h.message}</q>}
                    <a className={styles.open} href={`/rooms/${h.roomId}`}>
                      Open room
                    </a>
                    <button type="button" className="secondary" onClick={() => void resolve(h.userId)}>
                      Resolve
                    </button>
                  </li>
                ))}
              </ol>
            )}
          </section>

          <section aria-labelledby="class-tests">
            <h2 id="class-tests">Tests passed now</h2>
            {data.mostFailed ? (
              <p className="notice" data-testid="most-failed">
                Failing most: <strong>{data.mostFailed.name}</strong> ({data.mostFailed.failing} of {data.mostFailed.graded} students)
              </p>
            ) : (
              <p className="muted">No visible test is failing.</p>
            )}
            <ClassTable data={data} now={now} />
          </section>
        </>
      )}
    </>
  );
}

function ClassTable({ data, now }: { data: ClassData; now: number }) {
  if (data.students.length === 0) return <p className="empty">No students are in the course yet.</p>;
  return (
    <table className={`admin-table ${styles.classTable}`} data-testid="class-table">
      <thead>
        <tr>
          <th>Student</th>
          {data.tests.map((t) => (
            <th key={t.id} className={t.id === data.mostFailed?.testId ? styles.mostFailed : undefined} title={`${t.points} points`}>
              {t.name}
            </th>
          ))}
          <th>Passed</th>
          <th>Last graded</th>
          <th>Last edit</th>
        </tr>
      </thead>
      <tbody>
        {data.students.map((s) => (
          <tr key={s.userId} data-testid="class-row" data-username={s.username}>
            <td>
              {s.roomId ? <a href={`/rooms/${s.roomId}`}>{s.username}</a> : <span title="Has not opened the workspace yet">{s.username}</span>}
              {s.help && (
                <span className={styles.helpFlag} title={s.help.message ?? "Asked for help"}>
                  asks for help
                </span>
              )}
            </td>
            {data.tests.map((t) => (
              <VerdictCell key={t.id} verdict={s.verdicts[t.id]} highlight={t.id === data.mostFailed?.testId} />
            ))}
            <td>
              {s.passed}/{data.tests.length}
            </td>
            <td className="muted">{s.grading ? `${s.grading.kind === "test" ? "Test" : "Submit"}, ${since(s.grading.finishedAt, now)}` : "—"}</td>
            <td className="muted">{s.lastActivityAt ? since(s.lastActivityAt, now) : "—"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function VerdictCell({ verdict, highlight }: { verdict?: Verdict; highlight: boolean }) {
  const className = [verdict === "passed" ? styles.pass : verdict ? styles.fail : styles.none, highlight ? styles.mostFailed : ""].join(" ");
  return (
    <td className={className} title={verdict ? VERDICT_LABELS[verdict] : "Not graded yet"} data-verdict={verdict ?? "none"}>
      {verdict === "passed" ? "✓" : verdict ? `✗ ${VERDICT_SHORT[verdict]}` : "·"}
    </td>
  );
}
