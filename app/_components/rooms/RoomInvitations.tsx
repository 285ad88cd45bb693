"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, ApiFailure } from "../room/api";

export interface InvitationRow {
  id: string;
  room: { id: string; name: string; language: string };
  invitedBy: { id: string; username: string };
  role: "viewer" | "editor";
  createdAt: string;
  expiresAt: string;
}

/** Invitations to rooms that wait for my answer: I become a member only if I accept. */
export function RoomInvitations({ invitations, total }: { invitations: InvitationRow[]; total: number }) {
  const router = useRouter();
  const [error, setError] = useState<string>();

  // After an answer the list is read again (also when it failed: the invitation may have expired meanwhile).
  async function act(fn: () => Promise<unknown>) {
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "That did not work; try again.");
    }
    router.refresh();
  }

  // Accepted: straight into the room (nothing to refresh here).
  const accept = async (i: InvitationRow) => {
    setError(undefined);
    try {
      const joined = await api<{ roomId: string }>(`/api/v1/me/room-invitations/${i.id}/accept`, { method: "POST" });
      router.push(`/rooms/${joined.roomId}`);
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "Could not accept the invitation; try again.");
      router.refresh();
    }
  };

  return (
    <div className="stack">
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <ul className="room-list" data-testid="room-invitations">
        {invitations.map((i) => (
          <li key={i.id}>
            <span className="room-name">{i.room.name}</span>
            <span className="tag">{i.room.language}</span>
            <span className="muted">
              {i.invitedBy.username} invites you as {i.role} · until {new Date(i.expiresAt).toLocaleDateString()}
            </span>
            <span className="row-actions">
              <button type="button" className="primary" onClick={() => void accept(i)} aria-label={`Accept the invitation to ${i.room.name}`}>
                Accept
              </button>
              <button
                type="button"
                onClick={() => void act(() => api(`/api/v1/me/room-invitations/${i.id}`, { method: "DELETE" }))}
                aria-label={`Decline the invitation to ${i.room.name}`}
              >
                Decline
              </button>
            </span>
          </li>
        ))}
      </ul>
      <p className="muted">
        {total > invitations.length ? `Showing the newest ${invitations.length} of ${total} invitations. ` : ""}
        <button
          type="button"
          onClick={() => {
            if (window.confirm(`Decline all ${total} invitations?`)) void act(() => api("/api/v1/me/room-invitations", { method: "DELETE" }));
          }}
          data-testid="decline-all"
        >
          Decline all
        </button>
      </p>
    </div>
  );
}
