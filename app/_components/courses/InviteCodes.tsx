"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, ApiFailure } from "../room/api";

export interface InviteRow {
  id: string;
  code: string;
  url: string;
  expiresAt: string | null;
}

const LIFETIMES = [
  { label: "until revoked", days: undefined },
  { label: "for 1 day", days: 1 },
  { label: "for 7 days", days: 7 },
  { label: "for 30 days", days: 30 },
  { label: "for 180 days", days: 180 },
];

/** The course's working invite codes with their links (copy, revoke), and a button for a new one (teachers). */
export function InviteCodes({ courseId, invites }: { courseId: string; invites: InviteRow[] }) {
  const router = useRouter();
  const [lifetime, setLifetime] = useState(0);
  const [error, setError] = useState<string>();
  const [copied, setCopied] = useState<string>();

  async function act(fn: () => Promise<unknown>) {
    setError(undefined);
    try {
      await fn();
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiFailure ? err.message : "That did not work; try again.");
    }
  }
  const create = () => {
    const days = LIFETIMES[lifetime]?.days;
    void act(() => api(`/api/v1/courses/${courseId}/invites`, { method: "POST", body: days === undefined ? {} : { expiresInDays: days } }));
  };
  const revoke = (invite: InviteRow) => {
    if (window.confirm(`Revoke the code ${invite.code}? Nobody can join with it any more (members stay).`)) {
      void act(() => api(`/api/v1/courses/${courseId}/invites/${invite.id}`, { method: "DELETE" }));
    }
  };
  const copy = async (invite: InviteRow) => {
    try {
      await navigator.clipboard.writeText(invite.url);
      setCopied(invite.id);
    } catch {
      setError("The browser did not let this page copy; select the link and copy it yourself.");
    }
  };

  return (
    <>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {invites.length === 0 ? (
        <p className="muted">No invite code works right now. Make one and give the class its link or the code.</p>
      ) : (
        <ul className="room-list" data-testid="invite-codes">
          {invites.map((invite) => (
            <li key={invite.id} data-testid="invite-code">
              <strong className="room-name" data-testid="invite-code-text">
                {invite.code}
              </strong>
              <input
                readOnly
                value={invite.url}
                aria-label={`Link for code ${invite.code}`}
                onFocus={(e) => e.target.select()}
                data-testid="invite-link"
                size={48}
              />
              <span className="muted">{invite.expiresAt ? `expires ${new Date(invite.expiresAt).toLocaleString()}` : "until revoked"}</span>
              <span className="row-actions">
                <button type="button" onClick={() => void copy(invite)}>
                  {copied === invite.id ? "Copied" : "Copy link"}
                </button>
                <button type="button" className="danger" onClick={() => revoke(invite)} aria-label={`Revoke ${invite.code}`}>
                  Revoke
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      <div className="new-room">
        <label>
          The new code works
          <select value={lifetime} onChange={(e) => setLifetime(Number(e.target.value))} data-testid="invite-lifetime">
            {LIFETIMES.map((l, i) => (
              <option key={l.label} value={i}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={create} data-testid="create-invite">
          New invite code
        </button>
      </div>
    </>
  );
}
