"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, ApiFailure } from "../room/api";
import styles from "./classroom.module.css";

/** Staff: set a score that replaces the graded one (or only a comment), or remove the override. The student sees the comment. */
export function OverrideForm({ submissionId, current }: { submissionId: string; current: { score: number | null; comment: string | null } | null }) {
  const router = useRouter();
  const [score, setScore] = useState(current?.score != null ? String(current.score) : "");
  const [comment, setComment] = useState(current?.comment ?? "");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const send = async (method: "PUT" | "DELETE") => {
    setError(undefined);
    setBusy(true);
    try {
      const body = method === "PUT" ? { score: score.trim() === "" ? null : Number(score), comment } : undefined;
      await api(`/api/v1/submissions/${submissionId}/override`, { method, body });
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "Could not save the override.");
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className={styles.form}
      data-testid="override-form"
      onSubmit={(e) => {
        e.preventDefault();
        void send("PUT");
      }}
    >
      <h2>Override the score</h2>
      <label>
        Score (empty: keep the graded score)
        <input type="number" min={0} step="any" value={score} onChange={(e) => setScore(e.target.value)} />
      </label>
      <label>
        Comment the student sees
        <textarea maxLength={2000} rows={3} value={comment} onChange={(e) => setComment(e.target.value)} />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div>
        <button type="submit" className="button" disabled={busy}>
          Save override
        </button>{" "}
        {current && (
          <button type="button" disabled={busy} onClick={() => void send("DELETE")}>
            Remove override
          </button>
        )}
      </div>
    </form>
  );
}
