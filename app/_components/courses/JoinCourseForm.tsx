"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, ApiFailure } from "../room/api";

/**
 * Joins a course with its invite code: typed in (`code` empty) or taken from
 * the link /courses/join/<code> (`code` given: only the button shows). Then
 * opens the course. Someone already in the course just goes there.
 */
export function JoinCourseForm({ code: fromLink = "" }: { code?: string }) {
  const router = useRouter();
  const [code, setCode] = useState(fromLink);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function join(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const joined = await api<{ courseId: string }>("/api/v1/courses/join", { method: "POST", body: { code } });
      router.push(`/courses/${joined.courseId}`);
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "Could not join the course.");
      setBusy(false);
    }
  }

  return (
    <form className="new-room" onSubmit={join} aria-label="Join a course">
      {fromLink ? (
        <p>
          Invite code <strong data-testid="join-code">{fromLink}</strong>
        </p>
      ) : (
        <label>
          Invite code
          <input
            value={code}
            onChange={(e) => setCode(e.target.value)}
            required
            maxLength={64}
            autoComplete="off"
            spellCheck={false}
            placeholder="e.g. K7Q2-MXP9RT"
            data-testid="join-course-code"
          />
        </label>
      )}
      <button type="submit" className="primary" disabled={busy || !code.trim()} data-testid="join-course">
        {busy ? "Joining…" : "Join course"}
      </button>
      {error && (
        <p className="error" role="alert" data-testid="join-course-error">
          {error}
        </p>
      )}
    </form>
  );
}
