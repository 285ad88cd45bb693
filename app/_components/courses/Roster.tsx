"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, ApiFailure } from "../room/api";

export type CourseRoleName = "teacher" | "ta" | "student";
export interface MemberRow {
  userId: string;
  username: string;
  role: CourseRoleName;
}

const ROLE_LABEL: Record<CourseRoleName, string> = { teacher: "teacher", ta: "TA", student: "student" };

/**
 * The course's people. Teachers (`manage`) change roles, remove members and
 * add someone by username; everyone else sees the list as it is (a student's
 * list holds only the staff and themselves: the server leaves the rest out).
 */
export function Roster({ courseId, members, manage }: { courseId: string; members: MemberRow[]; manage: boolean }) {
  const router = useRouter();
  const [error, setError] = useState<string>();
  const [username, setUsername] = useState("");
  const [role, setRole] = useState<CourseRoleName>("student");

  async function act(fn: () => Promise<unknown>) {
    setError(undefined);
    try {
      await fn();
      router.refresh();
      return true;
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "That did not work; try again.");
      return false;
    }
  }
  const add = async (event: React.FormEvent) => {
    event.preventDefault();
    if (await act(() => api(`/api/v1/courses/${courseId}/members`, { method: "POST", body: { username, role } }))) setUsername("");
  };
  const change = (m: MemberRow, next: CourseRoleName) =>
    void act(() => api(`/api/v1/courses/${courseId}/members/${m.userId}`, { method: "PATCH", body: { role: next } }));
  const remove = (m: MemberRow) => {
    if (window.confirm(`Remove ${m.username} from the course?`)) void act(() => api(`/api/v1/courses/${courseId}/members/${m.userId}`, { method: "DELETE" }));
  };

  return (
    <>
      {error && (
        <p className="error" role="alert" data-testid="roster-error">
          {error}
        </p>
      )}
      <ul className="room-list" data-testid="roster">
        {members.map((m) => (
          <li key={m.userId} data-testid="roster-member">
            <span className="room-name">{m.username}</span>
            {manage ? (
              <span className="row-actions">
                <select value={m.role} onChange={(e) => change(m, e.target.value as CourseRoleName)} aria-label={`Role of ${m.username}`}>
                  {(Object.keys(ROLE_LABEL) as CourseRoleName[]).map((r) => (
                    <option key={r} value={r}>
                      {ROLE_LABEL[r]}
                    </option>
                  ))}
                </select>
                <button type="button" className="danger" onClick={() => remove(m)} aria-label={`Remove ${m.username}`}>
                  Remove
                </button>
              </span>
            ) : (
              <span className="role">{ROLE_LABEL[m.role]}</span>
            )}
          </li>
        ))}
      </ul>
      {manage && (
        <form className="new-room" onSubmit={add} aria-label="Add someone to the course">
          <label>
            Username
            <input value={username} onChange={(e) => setUsername(e.target.value)} required maxLength={32} data-testid="add-member-name" />
          </label>
          <label>
            Role
            <select value={role} onChange={(e) => setRole(e.target.value as CourseRoleName)} data-testid="add-member-role">
              {(Object.keys(ROLE_LABEL) as CourseRoleName[]).map((r) => (
                <option key={r} value={r}>
                  {ROLE_LABEL[r]}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={!username.trim()} data-testid="add-member">
            Add
          </button>
        </form>
      )}
    </>
  );
}
