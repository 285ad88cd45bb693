"use client";

import type { UploadState } from "./useUpload";

/** What an upload did, what it refused and why, and the question when it would replace files. */
export function UploadStatus(props: { state: UploadState; answer(choice: "replace" | "skip" | "cancel"): void; dismiss(): void }) {
  const { state } = props;
  if (!state.busy && !state.question && !state.done && state.refused.length === 0) return null;
  return (
    <div className="upload-status" data-testid="upload-status">
      {state.busy && <p className="muted">Reading the files…</p>}
      {state.question && (
        <div className="upload-question" role="alertdialog" aria-label="Replace existing files?">
          <p>
            {state.question.replace.length === 1 ? "This file exists already:" : `${state.question.replace.length} files exist already:`}{" "}
            {state.question.replace
              .slice(0, 5)
              .map((r) => r.path)
              .join(", ")}
            {state.question.replace.length > 5 ? ", …" : ""}
          </p>
          <span>
            <button type="button" onClick={() => props.answer("replace")} data-testid="upload-replace">
              Replace
            </button>
            <button type="button" onClick={() => props.answer("skip")} data-testid="upload-skip">
              Skip them
            </button>
            <button type="button" onClick={() => props.answer("cancel")}>
              Cancel
            </button>
          </span>
        </div>
      )}
      {state.done && (
        <p role="status" data-testid="upload-done">
          {state.done}
        </p>
      )}
      {state.refused.length > 0 && (
        <div role="alert">
          <p className="error">{state.refused.length === 1 ? "1 file was refused:" : `${state.refused.length} files were refused:`}</p>
          <ul className="upload-refusals" data-testid="upload-refusals">
            {state.refused.map((r) => (
              <li key={r.reason}>{r.reason}</li>
            ))}
          </ul>
        </div>
      )}
      {!state.busy && !state.question && (
        <button type="button" className="link-button" onClick={props.dismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}
