import type { GradingView, TestView } from "@/lib/classroom/submissions/grading-view";
import { VERDICT_LABELS } from "@/lib/classroom/verdicts";
import styles from "./classroom.module.css";
import { DiffView } from "./DiffView";

const points = (n: number) => String(Math.round(n * 100) / 100);

/** A grading's results: each test's verdict and points; a click opens its input, output and diff (what the viewer may see). */
export function TestResults({ grading }: { grading: GradingView }) {
  return (
    <div data-testid="test-results">
      {grading.compileError && grading.compileOutput && (
        <details open>
          <summary className={styles.failed}>Compile error</summary>
          <pre className={styles.pre}>{grading.compileOutput}</pre>
        </details>
      )}
      <ul className={styles.results}>
        {grading.tests.map((t) => (
          <li key={t.position} data-testid="test-result" data-verdict={t.verdict}>
            <TestItem test={t} />
          </li>
        ))}
      </ul>
      {grading.omittedHiddenTests > 0 && (
        <p className="muted" data-testid="omitted-hidden">
          {grading.omittedHiddenTests} hidden {grading.omittedHiddenTests === 1 ? "test is" : "tests are"} counted in the score but not shown.
        </p>
      )}
    </div>
  );
}

function TestItem({ test: t }: { test: TestView }) {
  const head = (
    <>
      <span className={t.verdict === "passed" ? styles.passed : styles.failed}>{VERDICT_LABELS[t.verdict]}</span>
      <span>{t.name}</span>
      <span>
        {points(t.points)} / {points(t.maxPoints)} points
      </span>
      {t.hidden && <span className="tag">hidden</span>}
      {t.timeMs != null && <span className="muted">{t.timeMs} ms</span>}
      {t.memoryKb != null && <span className="muted">{Math.round(t.memoryKb / 1024)} MiB</span>}
    </>
  );
  // A student's view of a hidden test has nothing more to open.
  if (t.stdout === undefined) return <div className={styles.resultLine}>{head}</div>;
  return (
    <details>
      <summary>{head}</summary>
      {t.diff && t.diff.length > 0 && (
        <>
          <strong>Expected (-) against your output (+)</strong>
          <DiffView diff={t.diff} />
        </>
      )}
      {t.stdin ? <Block title="Input" text={t.stdin} /> : null}
      {t.args && t.args.length > 0 ? <Block title="Arguments" text={t.args.join(" ")} /> : null}
      {t.expectedStdout != null && <Block title="Expected output" text={t.expectedStdout} testId="expected-output" />}
      <Block title="Output" text={t.stdout || "(nothing)"} testId="actual-output" />
      {t.stderr ? <Block title="Errors (stderr)" text={t.stderr} /> : null}
      {t.feedback ? <Block title="Feedback" text={t.feedback} /> : null}
      {t.exitCode != null && t.exitCode !== 0 && <p className="muted">Exit code {t.exitCode}</p>}
      {t.signal && <p className="muted">Killed by {t.signal}</p>}
    </details>
  );
}

function Block({ title, text, testId }: { title: string; text: string; testId?: string }) {
  return (
    <>
      <strong>{title}</strong>
      <pre className={styles.pre} data-testid={testId}>
        {text}
      </pre>
    </>
  );
}
