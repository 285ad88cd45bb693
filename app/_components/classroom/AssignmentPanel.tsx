"use client";

import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import type { SubmissionSummary, SubmissionView } from "@/lib/classroom/submissions/queries";
import { api, ApiFailure } from "../room/api";
import styles from "./classroom.module.css";
import { TestResults } from "./TestResults";
import { useGrading } from "./useGrading";

export interface AssignmentPanelProps {
  assignment: { id: string; title: string; dueAt: string; lateUntil: string | null };
  /** student: their own workspace (Test, Submit); staff: a student's room, read-only. */
  mode: "student" | "staff";
  student: { id: string; username: string };
  /** Waits for the student's last keystrokes to reach the room server: Test and Submit grade the files it holds. */
  beforeGrading?: () => Promise<void>;
}

interface Allowance {
  limit: number | null;
  kind: "none" | "cap" | "budget";
  used: number;
  available: number | null;
  nextAt: string | null;
}

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
const STATUS_TEXT = { queued: "Queued…", running: "Grading…", finished: "Graded", failed: "Could not be graded (try again)" };

function allowanceText(a: Allowance | undefined): string {
  if (!a) return "";
  if (a.kind === "none") return `${a.used} submitted; no limit`;
  const next = a.kind === "budget" && a.nextAt ? ` (next back ${when(a.nextAt)})` : "";
  return `${a.available} of ${a.limit} submissions left${next}`;
}

/**
 * The assignment in its workspace room: what it is and when it is due, how
 * many submissions are left, "Test" (the visible tests on the current
 * files, each verdict with its diff) and "Submit" (a snapshot graded
 * against every test, its score shown once graded). Staff opening a
 * student's room see it read-only, with a link to that student's submissions.
 */
export function AssignmentPanel({ assignment, mode, student, beforeGrading }: AssignmentPanelProps) {
  const [allowance, setAllowance] = useState<Allowance>();
  const [latest, setLatest] = useState<SubmissionSummary>();
  const [submitted, setSubmitted] = useState<SubmissionView>();
  const [busy, setBusy] = useState<"test" | "submit">();
  const [error, setError] = useState<string>();
  const [shown, setShown] = useState<"test" | "submit">();
  const query = mode === "staff" ? `?userId=${student.id}` : "";

  const refresh = useCallback(async () => {
    try {
      const list = await api<{ submissions: SubmissionSummary[]; allowance: Allowance | null }>(`/api/v1/assignments/${assignment.id}/submissions${query}`);
      setAllowance(list.allowance ?? undefined);
      setLatest(list.submissions[0]);
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "Could not read the submissions.");
    }
  }, [assignment.id, query]);
  useEffect(() => void refresh(), [refresh]);

  const test = useGrading();
  const submission = useGrading(async () => {
    // Graded: the submission's score is the one that counts (late penalty, override).
    if (submitted) setSubmitted(await api<SubmissionView>(`/api/v1/submissions/${submitted.id}`).catch(() => submitted));
    void refresh();
  });

  const start = async (kind: "test" | "submit") => {
    setError(undefined);
    if (kind === "submit" && !window.confirm("Submit your current files? The submission cannot be changed afterwards; it is graded against every test."))
      return;
    setBusy(kind);
    try {
      await beforeGrading?.();
      if (kind === "test") {
        const { gradingId } = await api<{ gradingId: string }>(`/api/v1/assignments/${assignment.id}/test`, { method: "POST", body: {} });
        test.follow(gradingId);
      } else {
        const made = await api<SubmissionView>(`/api/v1/assignments/${assignment.id}/submissions`, { method: "POST", body: {} });
        setSubmitted(made);
        if (made.grading) submission.follow(made.grading.id);
        void refresh();
      }
      setShown(kind);
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "Could not reach the server.");
    } finally {
      setBusy(undefined);
    }
  };

  const current = shown === "test" ? test : shown === "submit" ? submission : undefined;
  return (
    <section className={styles.panel} aria-label="Assignment" data-testid="assignment-panel">
      <div className={styles.head}>
        <h2>
          {/* Not prefetched: the room page need not render the assignment's page each time it opens. */}
          <Link href={`/assignments/${assignment.id}`} prefetch={false}>
            {assignment.title}
          </Link>
        </h2>
        <span data-testid="assignment-due">Due {when(assignment.dueAt)}</span>
        {assignment.lateUntil && <span className="muted">late until {when(assignment.lateUntil)}</span>}
        <span data-testid="submissions-left">{allowanceText(allowance)}</span>
        {latest && (
          <Link href={`/submissions/${latest.id}`} data-testid="latest-submission">
            Latest: #{latest.number} {latest.score !== null ? `${latest.score} / ${latest.maxScore}` : latest.status ? STATUS_TEXT[latest.status] : ""}
            {latest.late ? " (late)" : ""}
          </Link>
        )}
        {mode === "student" ? (
          <>
            <button type="button" onClick={() => void start("test")} disabled={busy !== undefined} data-testid="run-tests">
              Test
            </button>
            <button type="button" className="button" onClick={() => void start("submit")} disabled={busy !== undefined} data-testid="submit">
              Submit
            </button>
          </>
        ) : (
          <Link href={`/assignments/${assignment.id}/submissions?userId=${student.id}`} data-testid="student-submissions">
            Submissions of {student.username}
          </Link>
        )}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {current?.gradingId && (
        <div data-testid="grading">
          <p role="status" data-testid="grading-status">
            {shown === "test" ? "Test: " : `Submission #${submitted?.number ?? ""}: `}
            {current.view ? STATUS_TEXT[current.view.status] : STATUS_TEXT.queued}
            {shown === "submit" && submitted?.score != null && current.view?.status === "finished" && (
              <strong data-testid="submission-score">
                {" "}
                Score {submitted.score} / {submitted.maxScore}
                {submitted.late ? ` (${submitted.daysLate} days late)` : ""}
              </strong>
            )}
            {shown === "test" && current.view?.status === "finished" && (
              <strong data-testid="test-score">
                {" "}
                {current.view.score} / {current.view.maxScore} points
              </strong>
            )}
          </p>
          {current.error && <p className="muted">{current.error}</p>}
          {current.view && <TestResults grading={current.view} />}
        </div>
      )}
    </section>
  );
}
