"use client";

import type { Peer } from "./usePresence";

/** Who is in the room now, the file each has open, and "follow": my view goes where they are. */
export function Presence(props: { peers: Peer[]; pathOf(fileId?: string): string | undefined; following?: number; onFollow(clientId?: number): void }) {
  return (
    <section className="presence" aria-labelledby="presence-title">
      <h2 id="presence-title">In the room ({props.peers.length})</h2>
      <ul data-testid="presence">
        {props.peers.map((p) => (
          <li key={p.clientId}>
            <span className="avatar" style={{ background: p.color }} aria-hidden="true">
              {p.name.slice(0, 1).toUpperCase()}
            </span>
            <span className="peer-name">
              {p.name}
              {p.self ? " (you)" : ""}
            </span>
            <span className="muted peer-file">{props.pathOf(p.fileId) ?? ""}</span>
            {!p.self && (
              <button
                type="button"
                aria-pressed={props.following === p.clientId}
                onClick={() => props.onFollow(props.following === p.clientId ? undefined : p.clientId)}
              >
                {props.following === p.clientId ? "Following" : "Follow"}
              </button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
