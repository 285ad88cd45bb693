"use client";

import type { HocuspocusProvider } from "@hocuspocus/provider";
import { useEffect, useState } from "react";
import type { Awareness } from "y-protocols/awareness";
import { readPresence, type PresenceCursor, type PresenceUser } from "@/lib/rooms/presence";

export interface Peer extends PresenceUser, Partial<PresenceCursor> {
  clientId: number;
  self: boolean;
}

/** Everyone in the room now (one entry per open tab), from the socket's awareness; entries that are not valid presence are left out. */
export function usePresence(provider: HocuspocusProvider | undefined): Peer[] {
  const [peers, setPeers] = useState<Peer[]>([]);
  useEffect(() => {
    const awareness = provider?.awareness;
    if (!awareness) return;
    const read = () => {
      const list: Peer[] = [];
      awareness.getStates().forEach((state, clientId) => {
        const presence = readPresence(state);
        if (presence) list.push({ ...presence.user, ...presence.cursor, clientId, self: clientId === awareness.clientID });
      });
      setPeers(list.sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name)));
    };
    read();
    awareness.on("change", read);
    return () => awareness.off("change", read);
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
