"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, ApiFailure } from "../room/api";

/** Creates a course (the creator becomes its teacher) and opens it. */
export function NewCourseForm() {
  const router = useRouter();
  const [name, setName] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function create(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const course = await api<{ id: string }>("/api/v1/courses", { method: "POST", body: { name } });
      router.push(`/courses/${course.id}`);
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "Could not create the course.");
      setBusy(false);
    }
  }

  return (
    <form className="new-room" onSubmit={create} aria-label="Create a course">
      <label>
        Course name
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={120}
          placeholder="e.g. Programming 1, fall"
          data-testid="new-course-name"
        />
      </label>
      <button type="submit" className="primary" disabled={busy || !name.trim()} data-testid="create-course">
        {busy ? "Creating…" : "Create course"}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
