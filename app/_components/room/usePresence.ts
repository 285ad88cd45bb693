"use client";

import type { HocuspocusProvider } from "@hocuspocus/provider";
import { useEffect, useState } from "react";
import type { Awareness } from "y-protocols/awareness";
import { readPresence, type PresenceCursor, type PresenceUser } from "@/lib/rooms/presence";

export interface Peer extends PresenceUser, Partial<PresenceCursor> {
  clientId: number;
  /** This tab. */
  self: boolean;
  /** Any tab of the signed-in user (this one or another): never someone to follow. */
  mine: boolean;
  /** When this tab last changed what it shows the others (joined, moved its cursor or selection, opened a file); 0 when not seen to change since this page loaded. */
  movedAt: number;
}

/** Every open tab in the room now, from the socket's awareness; entries that are not valid presence are left out. */
export function usePresence(provider: HocuspocusProvider | undefined): Peer[] {
  const [peers, setPeers] = useState<Peer[]>([]);
  useEffect(() => {
    const awareness = provider?.awareness;
    if (!awareness) return;
    // Awareness emits "change" only for real changes (not the periodic renewals): a change is a move.
    const movedAt = new Map<number, number>();
    const read = () => {
      const myId = readPresence(awareness.getLocalState())?.user.id;
      const list: Peer[] = [];
      awareness.getStates().forEach((state, clientId) => {
        const presence = readPresence(state);
        if (!presence) return;
        const self = clientId === awareness.clientID;
        list.push({
          ...presence.user,
          ...presence.cursor,
          clientId,
          self,
          mine: self || presence.user.id === myId,
          movedAt: movedAt.get(clientId) ?? 0,
        });
      });
      setPeers(list.sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name) || a.clientId - b.clientId));
    };
    const onChange = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }) => {
      const now = Date.now();
      for (const id of [...added, ...updated]) movedAt.set(id, now);
      for (const id of removed) movedAt.delete(id);
      read();
    };
    read();
    awareness.on("change", onChange);
    return () => awareness.off("change", onChange);
  }, [provider]);
  return peers;
}

/**
 * Keeps only valid presence in the room's awareness, whatever the room
 * server relays: every remote entry is checked as it arrives, and replaced
 * by its checked form or removed. Registered before anything else reads
 * the awareness (the editor's remote cursors, the presence list), so none of
 * them ever sees an entry that could break or restyle the page.
 */
export function guardPresence(awareness: Awareness): void {
  awareness.on("change", ({ added, updated }: { added: number[]; updated: number[] }) => {
    for (const clientId of [...added, ...updated]) {
      if (clientId === awareness.clientID) continue;
      const checked = readPresence(awareness.states.get(clientId));
      if (checked) awareness.states.set(clientId, checked);
      else awareness.states.delete(clientId);
    }
  });
}
