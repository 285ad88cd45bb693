"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { api, ApiFailure } from "../room/api";
import styles from "./assignments.module.css";
import { draftOf, LIMIT_FIELDS, toDefinition, type LimitKey, type TestDraft } from "./test-drafts";
import { TestsEditor } from "./TestsEditor";

export interface EditableAssignment {
  id: string;
  courseId: string;
  title: string;
  statement: string;
  language: string;
  starterFiles: Array<{ name: string; content: string }>;
  opensAt: string | null;
  dueAt: string;
  lateUntil: string | null;
  latePenaltyPerDay: number;
  submissionLimit: number | null;
  submissionRefillMinutes: number | null;
  hiddenFeedback: "verdict" | "nothing";
  limits: Partial<Record<LimitKey, number>>;
  tests: Array<Record<string, unknown>>;
}

/** An ISO date as a datetime-local input's value (the browser's time zone), and back. */
const toLocal = (iso: string | null) => {
  if (!iso) return "";
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocal = (value: string) => (value ? new Date(value).toISOString() : null);
let keys = 0;
const nextKey = () => `f${keys++}`;
const optionalNumber = (s: string) => (s.trim() === "" ? null : Number(s));

/**
 * The teacher's form for a new assignment (courseId) or an existing one
 * (assignment): its fields, starter files and tests. Saving writes the
 * assignment (POST or PATCH), then the whole tests list (PUT). Import sends a
 * file (SAM tests JSON, autograding.json or a Kattis .zip) to the server,
 * which parses it and answers with the tests and warnings; export downloads.
 */
export function AssignmentEditor({ courseId, assignment, languages }: { courseId: string; assignment?: EditableAssignment; languages: string[] }) {
  const router = useRouter();
  const [title, setTitle] = useState(assignment?.title ?? "");
  const [statement, setStatement] = useState(assignment?.statement ?? "");
  const [language, setLanguage] = useState(assignment?.language ?? languages[0] ?? "python");
  // Each starter file with a key of its own, so React keeps the right inputs when one is removed.
  const [starter, setStarter] = useState(() => (assignment?.starterFiles ?? []).map((f) => ({ ...f, key: nextKey() })));
  const [opensAt, setOpensAt] = useState(toLocal(assignment?.opensAt ?? null));
  const [dueAt, setDueAt] = useState(toLocal(assignment?.dueAt ?? new Date(Date.now() + 7 * 86_400_000).toISOString()));
  const [lateUntil, setLateUntil] = useState(toLocal(assignment?.lateUntil ?? null));
  const [penalty, setPenalty] = useState(String(assignment?.latePenaltyPerDay ?? 0));
  const [limit, setLimit] = useState(assignment?.submissionLimit != null ? String(assignment.submissionLimit) : "");
  const [refill, setRefill] = useState(assignment?.submissionRefillMinutes != null ? String(assignment.submissionRefillMinutes) : "");
  const [hiddenFeedback, setHiddenFeedback] = useState(assignment?.hiddenFeedback ?? "verdict");
  const [limits, setLimits] = useState<Record<LimitKey, string>>(() => {
    const l = assignment?.limits ?? {};
    return Object.fromEntries(LIMIT_FIELDS.map((f) => [f.key, l[f.key] !== undefined ? String(l[f.key]) : ""])) as Record<LimitKey, string>;
  });
  const [tests, setTests] = useState<TestDraft[]>(() => (assignment?.tests ?? []).map(draftOf));
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [warnings, setWarnings] = useState<Array<{ test?: string; message: string }>>([]);
  const [busy, setBusy] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);

  const fields = () => ({
    title,
    statement,
    language,
    starterFiles: starter.map(({ name, content }) => ({ name, content })),
    opensAt: fromLocal(opensAt),
    dueAt: fromLocal(dueAt),
    lateUntil: fromLocal(lateUntil),
    latePenaltyPerDay: Number(penalty || 0),
    submissionLimit: optionalNumber(limit),
    submissionRefillMinutes: optionalNumber(refill),
    hiddenFeedback,
    limits: Object.fromEntries(LIMIT_FIELDS.map((f) => [f.key, optionalNumber(limits[f.key])]).filter(([, v]) => v !== null)),
  });

  async function save(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      const saved = assignment
        ? await api<{ id: string }>(`/api/v1/assignments/${assignment.id}`, { method: "PATCH", body: fields() })
        : await api<{ id: string }>(`/api/v1/courses/${courseId}/assignments`, { method: "POST", body: fields() });
      try {
        await api(`/api/v1/assignments/${saved.id}/tests`, { method: "PUT", body: { tests: tests.map(toDefinition) } });
      } catch (err) {
        // The assignment exists now: keep editing it there, where saving again only fixes the tests.
        if (!assignment) router.replace(`/assignments/${saved.id}/edit`);
        throw err;
      }
      router.push(`/assignments/${saved.id}`);
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "Could not save the assignment.");
      setBusy(false);
    }
  }

  async function importFile(file: File, mode: "replace" | "append") {
    if (!assignment) return;
    setBusy(true);
    setError(undefined);
    setWarnings([]);
    try {
      const res = await fetch(`/api/v1/assignments/${assignment.id}/tests/import?mode=${mode}`, {
        method: "POST",
        headers: { "content-type": file.name.endsWith(".zip") ? "application/zip" : "application/json" },
        body: file,
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) throw new ApiFailure(res.status, body.error?.code ?? "error", body.error?.message ?? `The server answered ${res.status}.`);
      setTests(body.tests.map(draftOf));
      setWarnings(body.warnings);
      setNotice(
        `Imported ${body.imported} test(s) from the ${body.format} file${body.statementSet ? "; the statement was filled from it (reload to see it)" : ""}.`,
      );
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "Could not import the file.");
    } finally {
      setBusy(false);
      if (fileInput.current) fileInput.current.value = "";
    }
  }

  return (
    <form className={styles.editor} onSubmit={save} aria-label={assignment ? "Edit the assignment" : "Create an assignment"}>
      <section>
        <h2>Assignment</h2>
        <label>
          Title
          <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} data-testid="assignment-title" />
        </label>
        <label>
          Statement (Markdown)
          <textarea rows={10} value={statement} onChange={(e) => setStatement(e.target.value)} className={styles.code} data-testid="assignment-statement" />
        </label>
        <div className={styles.row}>
          <label>
            Language
            <select value={language} onChange={(e) => setLanguage(e.target.value)} data-testid="assignment-language">
              {[...new Set([language, ...languages])].map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <label>
            Opens (empty: at once)
            <input type="datetime-local" value={opensAt} onChange={(e) => setOpensAt(e.target.value)} data-testid="assignment-opens" />
          </label>
          <label>
            Due
            <input type="datetime-local" value={dueAt} onChange={(e) => setDueAt(e.target.value)} required data-testid="assignment-due" />
          </label>
        </div>
        <div className={styles.row}>
          <label>
            Late submissions until (empty: none)
            <input type="datetime-local" value={lateUntil} onChange={(e) => setLateUntil(e.target.value)} data-testid="assignment-late-until" />
          </label>
          <label className={styles.narrow}>
            Penalty % per day late
            <input type="number" min={0} max={100} step="any" value={penalty} onChange={(e) => setPenalty(e.target.value)} />
          </label>
          <label className={styles.narrow}>
            Submission limit (empty: none)
            <input type="number" min={1} value={limit} onChange={(e) => setLimit(e.target.value)} data-testid="assignment-limit" />
          </label>
          <label className={styles.narrow}>
            One back every … minutes (empty: hard cap)
            <input type="number" min={1} value={refill} onChange={(e) => setRefill(e.target.value)} />
          </label>
          <label>
            Hidden tests show students
            <select value={hiddenFeedback} onChange={(e) => setHiddenFeedback(e.target.value as "verdict" | "nothing")}>
              <option value="verdict">their verdict and points</option>
              <option value="nothing">nothing (only the total)</option>
            </select>
          </label>
        </div>
        <div className={styles.row}>
          {LIMIT_FIELDS.map((f) => (
            <label key={f.key} className={styles.narrow}>
              Default {f.label}
              <input type="number" min={1} placeholder="server's" value={limits[f.key]} onChange={(e) => setLimits({ ...limits, [f.key]: e.target.value })} />
            </label>
          ))}
        </div>
      </section>

      <section>
        <h2>Starter files</h2>
        {starter.map((f, i) => (
          <div key={f.key} className={styles.starter}>
            <input
              value={f.name}
              aria-label={`Starter file ${i + 1} name`}
              onChange={(e) => setStarter(starter.map((s, j) => (j === i ? { ...s, name: e.target.value } : s)))}
            />
            <textarea
              rows={5}
              className={styles.code}
              aria-label={`Starter file ${i + 1} content`}
              value={f.content}
              onChange={(e) => setStarter(starter.map((s, j) => (j === i ? { ...s, content: e.target.value } : s)))}
            />
            <button type="button" className="secondary" onClick={() => setStarter(starter.filter((_, j) => j !== i))}>
              Remove file
            </button>
          </div>
        ))}
        <button type="button" className="secondary" onClick={() => setStarter([...starter, { name: "", content: "", key: nextKey() }])}>
          Add a starter file
        </button>
      </section>

      <section>
        <h2>Tests</h2>
        {assignment ? (
          <div className={styles.actions}>
            <label className={styles.fileButton}>
              Import (replace)…
              <input
                ref={fileInput}
                type="file"
                accept=".json,.zip,application/json,application/zip"
                onChange={(e) => e.target.files?.[0] && void importFile(e.target.files[0], "replace")}
                data-testid="import-file"
              />
            </label>
            <label className={styles.fileButton}>
              Import (append)…
              <input
                type="file"
                accept=".json,.zip,application/json,application/zip"
                onChange={(e) => e.target.files?.[0] && void importFile(e.target.files[0], "append")}
              />
            </label>
            <a className="button secondary" href={`/api/v1/assignments/${assignment.id}/tests/export`} download data-testid="export-tests">
              Export tests
            </a>
          </div>
        ) : (
          <p className="hint">Import and export are offered once the assignment is saved.</p>
        )}
        {warnings.length > 0 && (
          <ul className={styles.warnings} data-testid="import-warnings">
            {warnings.map((w) => (
              <li key={`${w.test ?? ""}:${w.message}`}>
                {w.test ? <strong>{w.test}: </strong> : null}
                {w.message}
              </li>
            ))}
          </ul>
        )}
        <TestsEditor tests={tests} onChange={setTests} language={language} />
      </section>

      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p className="error" role="alert" data-testid="assignment-error">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy || !title.trim()} data-testid="save-assignment">
        {busy ? "Saving…" : assignment ? "Save" : "Create assignment"}
      </button>
    </form>
  );
}
