import Link from "next/link";
import type { AssignmentView } from "@/lib/classroom/assignments/assignments";
import styles from "./assignments.module.css";
import { hiddenTestsWords, latePolicyWords, submissionLimitWords, when } from "./policy-words";
import { Statement } from "./Statement";

const COMPARISON_WORDS: Record<string, string> = {
  exact: "exactly",
  trailing_whitespace: "ignoring trailing whitespace",
  tokens: "word by word (whitespace ignored)",
  numbers: "number by number, within a tolerance",
  regex: "as a regular expression",
};

type ShownTest = {
  position: number;
  name: string;
  points: number;
  kind: string;
  stdin?: string;
  args?: string[];
  expectedStdout?: string;
  answer?: string;
  comparison?: { mode: string };
  command?: string;
};

/** One assignment as the caller's role sees it (the view already holds only what that role may read). */
export function AssignmentDetails({ view }: { view: AssignmentView }) {
  const staff = view.role !== "student";
  const hidden = hiddenTestsWords(view.hiddenTests, view.hiddenFeedback);
  const tests = view.tests as ShownTest[];
  return (
    <>
      <ul className={styles.facts} data-testid="assignment-facts">
        <li>
          Language: <strong>{view.language}</strong>
        </li>
        {view.opensAt && <li>Opens {when(view.opensAt)}.</li>}
        <li>
          Due <strong>{when(view.dueAt)}</strong>.
        </li>
        <li>{latePolicyWords(view)}</li>
        <li>{submissionLimitWords(view)}</li>
        <li>
          {view.points} point{view.points === 1 ? "" : "s"} in all.
        </li>
      </ul>
      {/* No prefetching: each of these pages is rendered for its own role on the server; a visit is enough. */}
      <nav className={styles.links} aria-label="Assignment links">
        {view.role === "student" && (
          <Link prefetch={false} className="button primary" href={`/assignments/${view.id}/workspace`} data-testid="open-workspace">
            Open my workspace
          </Link>
        )}
        {view.role === "student" && (
          <Link prefetch={false} className="button secondary" href={`/assignments/${view.id}/submissions`}>
            My submissions
          </Link>
        )}
        {view.role === "teacher" && (
          <Link prefetch={false} className="button primary" href={`/assignments/${view.id}/edit`} data-testid="edit-assignment">
            Edit
          </Link>
        )}
        {staff && (
          <>
            <Link prefetch={false} className="button secondary" href={`/courses/${view.courseId}/gradebook`}>
              Gradebook
            </Link>
            <Link prefetch={false} className="button secondary" href={`/assignments/${view.id}/class`}>
              Class view
            </Link>
            <Link prefetch={false} className="button secondary" href={`/assignments/${view.id}/submissions`}>
              Submissions
            </Link>
          </>
        )}
        {view.role === "teacher" && (
          <Link prefetch={false} className="button secondary" href={`/assignments/${view.id}/regrades`}>
            Re-grade
          </Link>
        )}
      </nav>

      <Statement markdown={view.statement} />

      <h2>Tests</h2>
      {tests.length === 0 && !hidden && <p className="muted">No tests yet.</p>}
      <ol className={styles.testList} data-testid="visible-tests">
        {tests.map((t) => (
          <li key={t.position} data-testid="visible-test">
            <strong>{t.name}</strong> — {t.points} point{t.points === 1 ? "" : "s"}
            {staff && "visibility" in t && <span className="muted"> ({String((t as { visibility: string }).visibility).replace("_", " ")})</span>}
            {t.kind === "command" ? (
              <pre>{t.command}</pre>
            ) : (
              <div className={styles.pair}>
                <div>
                  Input{t.args && t.args.length > 0 ? ` (args: ${t.args.join(" ")})` : ""}
                  <pre>{t.stdin || "(none)"}</pre>
                </div>
                <div>
                  {t.kind === "io" ? `Expected output, compared ${COMPARISON_WORDS[t.comparison?.mode ?? ""] ?? ""}` : "Answer (judged by a checker)"}
                  <pre>{t.kind === "io" ? t.expectedStdout : t.answer}</pre>
                </div>
              </div>
            )}
          </li>
        ))}
      </ol>
      {hidden && (
        <p className="notice" data-testid="hidden-tests">
          {hidden}
        </p>
      )}
    </>
  );
}
