"use client";

import { useEffect, useState } from "react";
import { api, ApiFailure } from "./api";

interface Link {
  id: string;
  role: string;
  createdAt: string;
  expiresAt: string;
  /** Known only for links made while this dialog is open: the server keeps only the token's hash. */
  url?: string;
}

// How long a new share link works; the server's default (SAM_SHARE_LINK_DAYS) when none is chosen.
const LINK_LIFETIMES = [
  { days: undefined, label: "expires after the default time" },
  { days: 1, label: "expires in 1 day" },
  { days: 7, label: "expires in 7 days" },
  { days: 30, label: "expires in 30 days" },
] as const;

/** Newest first; a link known twice (listed and just made) once, keeping its address. */
function merge(a: Link[], b: Link[]): Link[] {
  const byId = new Map<string, Link>();
  for (const l of [...a, ...b]) byId.set(l.id, { ...byId.get(l.id), ...l, url: l.url ?? byId.get(l.id)?.url });
  return [...byId.values()].sort((x, y) => y.createdAt.localeCompare(x.createdAt) || y.id.localeCompare(x.id));
}

/**
 * The room's working share links. The list is loaded once when the dialog
 * opens and then changed only by what this dialog does (a made link is added
 * from the server's answer, a revoked one removed), so it never shows a
 * half-reloaded list. Every link made here keeps its address and its Copy
 * button until the dialog closes; a link made earlier cannot show one (only
 * its hash is stored).
 */
export function ShareLinks({ roomId, onError }: { roomId: string; onError(message?: string): void }) {
  const [links, setLinks] = useState<Link[]>();
  const [linkRole, setLinkRole] = useState<"viewer" | "editor">("editor");
  const [linkDays, setLinkDays] = useState<number | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api<{ links: Link[] }>(`/api/v1/rooms/${roomId}/share-links`)
      .then((l) => live && setLinks((current) => merge(l.links, current ?? [])))
      .catch((err) => live && onError(err instanceof ApiFailure ? err.message : "Could not load the share links."));
    return () => {
      live = false;
    };
  }, [roomId, onError]);

  const act = async (fn: () => Promise<void>) => {
    onError(undefined);
    setBusy(true);
    try {
      await fn();
    } catch (err) {
      onError(err instanceof ApiFailure ? err.message : "That did not work; try again.");
    } finally {
      setBusy(false);
    }
  };

  const create = () =>
    act(async () => {
      const made = await api<Link & { url: string }>(`/api/v1/rooms/${roomId}/share-links`, {
        method: "POST",
        body: { role: linkRole, ...(linkDays ? { expiresInDays: linkDays } : {}) },
      });
      const { id, role, createdAt, expiresAt, url } = made;
      setLinks((current) => merge(current ?? [], [{ id, role, createdAt, expiresAt, url }]));
    });

  const revoke = (id: string) =>
    act(async () => {
      await api(`/api/v1/rooms/${roomId}/share-links/${id}`, { method: "DELETE" });
      setLinks((current) => current?.filter((l) => l.id !== id));
    });

  return (
    <>
      <h3>Share links</h3>
      <p className="muted">Anyone with a link joins with its role. A link's address shows only while this dialog is open: copy it now.</p>
      <div className="inline-form">
        <select value={linkRole} onChange={(e) => setLinkRole(e.target.value as "viewer" | "editor")} aria-label="Role the link grants">
          <option value="editor">grants editor</option>
          <option value="viewer">grants viewer</option>
        </select>
        <select
          value={linkDays ?? ""}
          onChange={(e) => setLinkDays(e.target.value ? Number(e.target.value) : undefined)}
          aria-label="How long the link works"
          data-testid="link-expiry"
        >
          {LINK_LIFETIMES.map((l) => (
            <option key={l.label} value={l.days ?? ""}>
              {l.label}
            </option>
          ))}
        </select>
        <button type="button" className="primary" data-testid="create-link" disabled={busy} onClick={() => void create()}>
          Create link
        </button>
      </div>
      {links === undefined ? (
        <p className="muted">Loading the links…</p>
      ) : links.length === 0 ? (
        <p className="muted">No share link works now.</p>
      ) : (
        <ul className="share-link-list" data-testid="share-links">
          {links.map((l) => (
            <LinkItem key={l.id} link={l} onRevoke={() => void revoke(l.id)} />
          ))}
        </ul>
      )}
    </>
  );
}

function LinkItem({ link, onRevoke }: { link: Link; onRevoke(): void }) {
  const [copied, setCopied] = useState(false);
  const made = new Date(link.createdAt).toLocaleString();
  return (
    <li className="share-link-item" data-testid="share-link-item">
      <div className="share-link-meta">
        <span>
          grants {link.role} · made {made} · expires {new Date(link.expiresAt).toLocaleString()}
        </span>
        <button type="button" className="danger" onClick={onRevoke} aria-label={`Revoke the ${link.role} link made ${made}`}>
          Revoke
        </button>
      </div>
      {link.url ? (
        <div className="share-link-url">
          <textarea
            readOnly
            rows={1}
            value={link.url}
            onFocus={(e) => e.target.select()}
            data-testid="share-link"
            aria-label={`Address of the ${link.role} link made ${made}`}
          />
          <button
            type="button"
            onClick={() =>
              void navigator.clipboard?.writeText(link.url!).then(
                () => setCopied(true),
                () => setCopied(false),
              )
            }
          >
            {copied ? "Copied" : "Copy"}
          </button>
        </div>
      ) : (
        <p className="muted share-link-hidden">Its address was shown once, when it was made: revoke it and make a new one if it is lost.</p>
      )}
    </li>
  );
}
