"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, ApiFailure } from "../room/api";

/** Rename and delete (teachers), or leave (everyone; the last teacher is told to name another first). */
export function CourseActions({ course, teacher }: { course: { id: string; name: string }; teacher: boolean }) {
  const router = useRouter();
  const [error, setError] = useState<string>();

  async function act(fn: () => Promise<unknown>, then: () => void) {
    setError(undefined);
    try {
      await fn();
      then();
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "That did not work; try again.");
    }
  }
  const rename = () => {
    const name = window.prompt("New name for the course", course.name);
    if (name && name.trim() !== course.name) {
      void act(
        () => api(`/api/v1/courses/${course.id}`, { method: "PATCH", body: { name } }),
        () => router.refresh(),
      );
    }
  };
  const remove = () => {
    if (window.confirm(`Delete "${course.name}" with its assignments, submissions and grades, for everyone? This cannot be undone.`)) {
      void act(
        () => api(`/api/v1/courses/${course.id}`, { method: "DELETE" }),
        () => router.push("/courses"),
      );
    }
  };
  const leave = () => {
    if (window.confirm(`Leave "${course.name}"? You will need an invite code to come back.`)) {
      void act(
        () => api(`/api/v1/courses/${course.id}/members/me`, { method: "DELETE" }),
        () => router.push("/courses"),
      );
    }
  };

  return (
    <div className="row-actions">
      {teacher && (
        <>
          <button type="button" onClick={rename} data-testid="rename-course">
            Rename
          </button>
          <button type="button" className="danger" onClick={remove} data-testid="delete-course">
            Delete
          </button>
        </>
      )}
      <button type="button" className="secondary" onClick={leave} data-testid="leave-course">
        Leave
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
