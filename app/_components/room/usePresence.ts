"use client";

import type { HocuspocusProvider } from "@hocuspocus/provider";
import { useEffect, useState } from "react";
import type { PresenceUser } from "./useRoomConnection";

export interface Peer extends PresenceUser {
  clientId: number;
  self: boolean;
}

/** Everyone in the room now (one entry per open tab), from the socket's awareness. */
export function usePresence(provider: HocuspocusProvider | undefined): Peer[] {
  const [peers, setPeers] = useState<Peer[]>([]);
  useEffect(() => {
    const awareness = provider?.awareness;
    if (!awareness) return;
    const read = () => {
      const list: Peer[] = [];
      awareness.getStates().forEach((state, clientId) => {
        const user = state.user as PresenceUser | undefined;
        if (user?.id) list.push({ ...user, clientId, self: clientId === awareness.clientID });
      });
      setPeers(list.sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name)));
    };
    read();
    awareness.on("change", read);
    return () => awareness.off("change", read);
  }, [provider]);
  return peers;
}
