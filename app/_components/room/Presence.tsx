"use client";

import { useEffect, useMemo } from "react";
import { groupPeople } from "./people";
import type { Peer } from "./usePresence";

/**
 * Who is in the room now, once per person however many tabs they have open,
 * the file each has open, and "follow": my view goes where they are. Nobody
 * can follow themselves (not even their own other tab).
 */
export function Presence(props: { peers: Peer[]; pathOf(fileId?: string): string | undefined; following?: number; onFollow(clientId?: number): void }) {
  const people = useMemo(() => groupPeople(props.peers), [props.peers]);
  const { following, onFollow } = props;

  // Following a person follows the tab they use: when another of their tabs moves, follow that one.
  const followedPerson = people.find((p) => p.tabs.some((t) => t.clientId === following));
  const theirLatest = followedPerson?.tabs[0]?.clientId;
  useEffect(() => {
    if (theirLatest !== undefined && theirLatest !== following) onFollow(theirLatest);
  }, [theirLatest, following, onFollow]);

  return (
    <section className="presence" aria-labelledby="presence-title">
      <h2 id="presence-title">In the room ({people.length})</h2>
      <ul data-testid="presence">
        {people.map((p) => {
          const isFollowed = p === followedPerson;
          return (
            <li key={p.userId} data-testid="person">
              <span className="avatar" style={{ background: p.color }} aria-hidden="true">
                {p.name.slice(0, 1).toUpperCase()}
              </span>
              <span className="peer-name">
                {p.name}
                {p.mine ? " (you)" : ""}
              </span>
              {p.tabs.length > 1 && (
                <span className="muted peer-tabs" data-testid="person-tabs">
                  {p.tabs.length} tabs
                </span>
              )}
              <span className="muted peer-file">{props.pathOf(p.tabs[0]?.fileId) ?? ""}</span>
              {!p.mine && (
                <button type="button" aria-pressed={isFollowed} onClick={() => onFollow(isFollowed ? undefined : p.tabs[0]?.clientId)}>
                  {isFollowed ? "Following" : "Follow"}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
