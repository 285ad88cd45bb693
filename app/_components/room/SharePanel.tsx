"use client";

import { useCallback, useEffect, useState } from "react";
import { api, ApiFailure } from "./api";
import { ShareLinks } from "./ShareLinks";

interface Member {
  userId: string;
  username: string;
  role: "viewer" | "editor" | "owner";
}
interface Invitation {
  id: string;
  username: string;
  role: "viewer" | "editor";
  expiresAt: string;
}

/**
 * The owner's sharing controls: invite by name (they join once they accept),
 * pending invitations, change roles, remove members, and revocable share
 * links (ShareLinks: they keep their own list, so a change to the members
 * never reloads it).
 */
export function SharePanel({ roomId, onClose }: { roomId: string; onClose(): void }) {
  const [members, setMembers] = useState<Member[]>([]);
  const [invitations, setInvitations] = useState<Invitation[]>([]);
  const [sent, setSent] = useState<string>();
  const [username, setUsername] = useState("");
  const [role, setRole] = useState<"viewer" | "editor">("editor");
  const [error, setError] = useState<string>();

  const load = useCallback(async () => {
    const [m, i] = await Promise.all([
      api<{ members: Member[] }>(`/api/v1/rooms/${roomId}/members`),
      api<{ invitations: Invitation[] }>(`/api/v1/rooms/${roomId}/invitations`),
    ]);
    setMembers(m.members);
    setInvitations(i.invitations);
  }, [roomId]);

  useEffect(() => {
    load().catch((err) => setError(err instanceof ApiFailure ? err.message : "Could not load the members."));
  }, [load]);

  const act = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    setSent(undefined);
    try {
      await fn();
      await load();
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "That did not work; try again.");
    }
  };

  return (
    <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="share-title" onKeyDown={(e) => e.key === "Escape" && onClose()}>
      <div className="dialog-card share-dialog">
        <div className="panel-head">
          <h2 id="share-title">Share this room</h2>
          <button type="button" onClick={onClose} aria-label="Close" autoFocus>
            ✕
          </button>
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void act(async () => {
              const invited = await api<{ username: string }>(`/api/v1/rooms/${roomId}/members`, { method: "POST", body: { username, role } });
              setUsername("");
              setSent(`Invitation sent: ${invited.username} joins once they accept it on their workspace page.`);
            });
          }}
        >
          <label>
            Invite by username
            <input value={username} onChange={(e) => setUsername(e.target.value)} required data-testid="invite-username" />
          </label>
          <select value={role} onChange={(e) => setRole(e.target.value as "viewer" | "editor")} aria-label="Role for the invited user">
            <option value="editor">editor</option>
            <option value="viewer">viewer</option>
          </select>
          <button type="submit" className="primary">
            Invite
          </button>
        </form>
        {sent && (
          <p className="notice" role="status" data-testid="invitation-sent">
            {sent}
          </p>
        )}
        {invitations.length > 0 && (
          <>
            <h3>Invited, waiting for an answer</h3>
            <ul className="members" data-testid="pending-invitations">
              {invitations.map((i) => (
                <li key={i.id}>
                  <span>{i.username}</span>
                  <span className={`role role-${i.role}`}>{i.role}</span>
                  <span className="muted">until {new Date(i.expiresAt).toLocaleDateString()}</span>
                  <button
                    type="button"
                    onClick={() => void act(() => api(`/api/v1/rooms/${roomId}/invitations/${i.id}`, { method: "DELETE" }))}
                    aria-label={`Withdraw the invitation of ${i.username}`}
                  >
                    Withdraw
                  </button>
                </li>
              ))}
            </ul>
          </>
        )}
        <h3>Members</h3>
        <ul className="members" data-testid="members">
          {members.map((m) => (
            <li key={m.userId}>
              <span>{m.username}</span>
              {m.role === "owner" ? (
                <span className="role role-owner">owner</span>
              ) : (
                <>
                  <select
                    value={m.role}
                    aria-label={`Role of ${m.username}`}
                    onChange={(e) => void act(() => api(`/api/v1/rooms/${roomId}/members/${m.userId}`, { method: "PATCH", body: { role: e.target.value } }))}
                  >
                    <option value="editor">editor</option>
                    <option value="viewer">viewer</option>
                  </select>
                  <button
                    type="button"
                    className="danger"
                    onClick={() => void act(() => api(`/api/v1/rooms/${roomId}/members/${m.userId}`, { method: "DELETE" }))}
                  >
                    Remove
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
        <ShareLinks roomId={roomId} onError={setError} />
      </div>
    </div>
  );
}
