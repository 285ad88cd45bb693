"use client";

import styles from "./assignments.module.css";
import { emptyDraft, LIMIT_FIELDS, MODES, type Kind, type TestDraft } from "./test-drafts";

/**
 * The list of an assignment's tests as the teacher edits it: add, remove,
 * move up and down, each test's kind-specific fields, visibility, points,
 * limits and comparison. It only edits the drafts; the page saves them as
 * one list (PUT /tests).
 */
export function TestsEditor({ tests, onChange, language }: { tests: TestDraft[]; onChange(tests: TestDraft[]): void; language: string }) {
  const update = (i: number, change: Partial<TestDraft>) => onChange(tests.map((t, j) => (j === i ? { ...t, ...change } : t)));
  const move = (i: number, by: number) => {
    const next = [...tests];
    const [t] = next.splice(i, 1);
    next.splice(i + by, 0, t!);
    onChange(next);
  };
  return (
    <div className={styles.tests} data-testid="tests-editor">
      {tests.length === 0 && <p className="muted">No tests yet. Add one, or import a file.</p>}
      {tests.map((t, i) => (
        <fieldset key={t.key} className={styles.test} data-testid={`test-${i}`}>
          <legend>
            Test {i + 1}
            {t.name ? `: ${t.name}` : ""}
          </legend>
          <div className={styles.row}>
            <label>
              Name
              <input value={t.name} onChange={(e) => update(i, { name: e.target.value })} required maxLength={200} data-testid={`test-${i}-name`} />
            </label>
            <label>
              Kind
              <select value={t.kind} onChange={(e) => update(i, { kind: e.target.value as Kind })} data-testid={`test-${i}-kind`}>
                <option value="io">Input / output</option>
                <option value="checker">Checker program</option>
                <option value="command">Test command</option>
              </select>
            </label>
            <label>
              Visibility
              <select
                value={t.visibility}
                onChange={(e) => update(i, { visibility: e.target.value as TestDraft["visibility"] })}
                data-testid={`test-${i}-visibility`}
              >
                <option value="visible">Visible</option>
                <option value="hidden">Hidden</option>
                <option value="after_due">Shown after the due date</option>
              </select>
            </label>
            <label className={styles.narrow}>
              Points
              <input
                type="number"
                min={0}
                step="any"
                value={t.points}
                onChange={(e) => update(i, { points: e.target.value })}
                data-testid={`test-${i}-points`}
              />
            </label>
          </div>

          {t.kind !== "command" && (
            <div className={styles.row}>
              <label className={styles.grow}>
                Input (stdin)
                <textarea rows={3} value={t.stdin} onChange={(e) => update(i, { stdin: e.target.value })} data-testid={`test-${i}-stdin`} />
              </label>
              <label>
                Arguments (one a line)
                <textarea rows={3} value={t.args} onChange={(e) => update(i, { args: e.target.value })} />
              </label>
            </div>
          )}

          {t.kind === "io" && (
            <>
              <div className={styles.row}>
                <label className={styles.grow}>
                  Expected output
                  <textarea
                    rows={3}
                    value={t.expectedStdout}
                    onChange={(e) => update(i, { expectedStdout: e.target.value })}
                    data-testid={`test-${i}-expected`}
                  />
                </label>
                <label className={styles.narrow}>
                  Exit code (optional)
                  <input type="number" min={0} max={255} value={t.expectedExitCode} onChange={(e) => update(i, { expectedExitCode: e.target.value })} />
                </label>
              </div>
              <div className={styles.row}>
                <label>
                  Comparison
                  <select value={t.mode} onChange={(e) => update(i, { mode: e.target.value as TestDraft["mode"] })} data-testid={`test-${i}-comparison`}>
                    {MODES.map((m) => (
                      <option key={m.mode} value={m.mode}>
                        {m.label}
                      </option>
                    ))}
                  </select>
                </label>
                {t.mode === "numbers" && (
                  <>
                    <label className={styles.narrow}>
                      Absolute tolerance
                      <input value={t.absoluteTolerance} onChange={(e) => update(i, { absoluteTolerance: e.target.value })} />
                    </label>
                    <label className={styles.narrow}>
                      Relative tolerance
                      <input value={t.relativeTolerance} onChange={(e) => update(i, { relativeTolerance: e.target.value })} />
                    </label>
                  </>
                )}
                {t.mode === "regex" && (
                  <label className={styles.narrow}>
                    Flags (i, m, s, u)
                    <input value={t.flags} onChange={(e) => update(i, { flags: e.target.value })} />
                  </label>
                )}
              </div>
            </>
          )}

          {t.kind === "checker" && (
            <>
              <label>
                Answer file given to the checker
                <textarea rows={3} value={t.answer} onChange={(e) => update(i, { answer: e.target.value })} />
              </label>
              <div className={styles.row}>
                <label>
                  Checker language
                  <input value={t.checkerLanguage} onChange={(e) => update(i, { checkerLanguage: e.target.value })} />
                </label>
                <label>
                  Checker file name
                  <input
                    value={t.checkerFiles[0]?.name ?? ""}
                    onChange={(e) =>
                      update(i, { checkerFiles: [{ name: e.target.value, content: t.checkerFiles[0]?.content ?? "" }, ...t.checkerFiles.slice(1)] })
                    }
                  />
                </label>
                <label>
                  Checker arguments (one a line)
                  <textarea rows={1} value={t.checkerArgs} onChange={(e) => update(i, { checkerArgs: e.target.value })} />
                </label>
              </div>
              <label>
                Checker source (exit 42: accepted, 43: wrong answer; feedback_dir/judgemessage.txt is shown)
                <textarea
                  rows={6}
                  className={styles.code}
                  value={t.checkerFiles[0]?.content ?? ""}
                  onChange={(e) =>
                    update(i, { checkerFiles: [{ name: t.checkerFiles[0]?.name ?? "checker.py", content: e.target.value }, ...t.checkerFiles.slice(1)] })
                  }
                />
              </label>
              {t.checkerFiles.length > 1 && <p className="hint">and {t.checkerFiles.length - 1} more file(s), kept as imported.</p>}
            </>
          )}

          {t.kind === "command" && (
            <>
              <div className={styles.row}>
                <label className={styles.grow}>
                  Command (writes Gradescope&apos;s results.json)
                  <textarea rows={2} className={styles.code} value={t.command} onChange={(e) => update(i, { command: e.target.value })} />
                </label>
                <label>
                  Results file
                  <input value={t.resultsFile} onChange={(e) => update(i, { resultsFile: e.target.value })} />
                </label>
              </div>
              {t.commandFiles.length > 0 && (
                <p className="hint">
                  {t.commandFiles.length} file(s) of the teacher's go with it: {t.commandFiles.map((f) => f.name).join(", ")}.
                </p>
              )}
            </>
          )}

          <div className={styles.row}>
            {LIMIT_FIELDS.map((f) => (
              <label key={f.key} className={styles.narrow}>
                {f.label}
                <input
                  type="number"
                  min={1}
                  placeholder="assignment's"
                  value={t.limits[f.key]}
                  onChange={(e) => update(i, { limits: { ...t.limits, [f.key]: e.target.value } })}
                />
              </label>
            ))}
          </div>
          <div className={styles.actions}>
            <button type="button" className="secondary" onClick={() => move(i, -1)} disabled={i === 0} aria-label={`Move test ${i + 1} up`}>
              ↑
            </button>
            <button type="button" className="secondary" onClick={() => move(i, 1)} disabled={i === tests.length - 1} aria-label={`Move test ${i + 1} down`}>
              ↓
            </button>
            <button type="button" className="secondary" onClick={() => onChange(tests.filter((_, j) => j !== i))} data-testid={`test-${i}-remove`}>
              Remove
            </button>
          </div>
        </fieldset>
      ))}
      <button type="button" className="secondary" onClick={() => onChange([...tests, emptyDraft(language)])} data-testid="add-test">
        Add a test
      </button>
    </div>
  );
}
