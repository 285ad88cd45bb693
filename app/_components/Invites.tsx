"use client";

import { useCallback, useEffect, useState } from "react";
import { api, ApiFailure } from "./room/api";

interface Invite {
  id: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  usedBy: string | null;
}

/** The workspace's invite controls (SAM_REGISTRATION=invite): make a one-time sign-up link, see who used yours, revoke unused ones. */
export function Invites() {
  const [invites, setInvites] = useState<Invite[]>([]);
  const [newLink, setNewLink] = useState<string>();
  const [error, setError] = useState<string>();

  const load = useCallback(async () => setInvites((await api<{ invites: Invite[] }>("/api/v1/invites")).invites), []);
  useEffect(() => {
    load().catch((err) => setError(err instanceof ApiFailure ? err.message : "Could not load your invites."));
  }, [load]);

  const act = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      await load();
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "That did not work; try again.");
    }
  };

  return (
    <div className="stack">
      <p className="hint">Sign-up on this server needs an invite. Each link works once, until it expires.</p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="inline-form">
        <button
          type="button"
          className="primary"
          data-testid="create-invite"
          onClick={() => void act(async () => setNewLink((await api<{ url: string }>("/api/v1/invites", { method: "POST" })).url))}
        >
          Create invite link
        </button>
      </div>
      {newLink && (
        <p className="new-link">
          Copy it now; it is shown only once:
          <input readOnly value={newLink} onFocus={(e) => e.target.select()} data-testid="invite-link" aria-label="The new invite link" />
          <button type="button" onClick={() => void navigator.clipboard?.writeText(newLink)}>
            Copy
          </button>
        </p>
      )}
      <ul className="links" data-testid="invites">
        {invites.map((i) => (
          <li key={i.id}>
            {i.usedAt ? (
              <span>
                used by {i.usedBy ?? "a deleted account"} · {new Date(i.usedAt).toLocaleString()}
              </span>
            ) : (
              <>
                <span>
                  unused · made {new Date(i.createdAt).toLocaleString()} · expires {new Date(i.expiresAt).toLocaleString()}
                </span>
                <button type="button" className="danger" onClick={() => void act(() => api(`/api/v1/invites/${i.id}`, { method: "DELETE" }))}>
                  Revoke
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
