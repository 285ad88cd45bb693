import Link from "next/link";
import { requireUser } from "@/lib/auth/session";
import { orNotFound } from "@/lib/classroom/submissions/pages";
import { submissionForCaller } from "@/lib/classroom/submissions/queries";
import { web } from "@/lib/web/context";
import { TopBar } from "../../_components/TopBar";
import { OverrideForm } from "../../_components/classroom/OverrideForm";
import { TestResults } from "../../_components/classroom/TestResults";
import styles from "../../_components/classroom/classroom.module.css";

const when = (d: string) => `${d.slice(0, 16).replace("T", " ")} UTC`;
const STATUS = { queued: "queued for grading", running: "being graded", finished: "graded", failed: "could not be graded" };

/**
 * One submission: its files as submitted, every test's verdict, output and
 * diff, time and memory (hidden tests redacted for the student), the score
 * that counts and a teacher's override with its comment; staff get the
 * override form. The student who made it and course staff only.
 */
export default async function SubmissionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/submissions/${id}`);
  const s = await orNotFound(submissionForCaller(web().db, id, user.id));
  return (
    <>
      <TopBar username={user.username} />
      <main className={styles.page} data-testid="submission-page">
        <p>
          <Link href={`/assignments/${s.assignment.id}/submissions${s.viewerIsStaff ? `?userId=${s.user.id}` : ""}`}>
            ← Submissions of {s.assignment.title}
          </Link>
        </p>
        <h1>
          {s.assignment.title}: submission #{s.number} by {s.user.username}
        </h1>
        <p>
          Submitted {when(s.createdAt)}, {s.late ? <strong data-testid="late">{s.daysLate} days late</strong> : "on time"}
          {s.status ? `; ${STATUS[s.status]}` : ""}.
        </p>
        <p data-testid="score">
          Score: <strong>{s.score !== null ? `${s.score} / ${s.maxScore}` : "not yet"}</strong>
          {s.gradedScore !== null && (s.late || s.override?.score != null) && <span className="muted"> (graded {s.gradedScore} points)</span>}
        </p>
        {s.override && (
          <section data-testid="override">
            <h2>Teacher's override</h2>
            {s.override.score !== null && <p>Score set to {s.override.score}.</p>}
            {s.override.comment && <p data-testid="override-comment">{s.override.comment}</p>}
          </section>
        )}
        {s.viewerIsStaff && <OverrideForm submissionId={s.id} current={s.override} />}
        <section>
          <h2>Tests</h2>
          {s.grading ? <TestResults grading={s.grading} /> : <p className="muted">Not graded yet.</p>}
        </section>
        <section data-testid="files">
          <h2>Files</h2>
          {s.files.map((f) => (
            <details key={f.name} open={s.files.length <= 3}>
              <summary>{f.name}</summary>
              <pre className={styles.pre}>{f.content}</pre>
            </details>
          ))}
        </section>
      </main>
    </>
  );
}
