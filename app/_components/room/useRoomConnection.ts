"use client";

import { HocuspocusProvider } from "@hocuspocus/provider";
import { useEffect, useMemo, useState } from "react";
import * as Y from "yjs";
import { CLOSE } from "@/lib/rooms/close-codes";
import { api } from "./api";
import { colorFor } from "./colors";

export type ConnectionState = "connecting" | "connected" | "disconnected";

export interface PresenceUser {
  id: string;
  name: string;
  color: string;
  /** The file they have open, and where their cursor is (for "follow"). */
  fileId?: string;
  line?: number;
  column?: number;
}

/**
 * The room's shared document, kept in sync over the room socket. The token
 * is fetched afresh for every (re)connect, so a changed role applies at the
 * next connection. Edits made while disconnected stay in the local document
 * and merge when the socket is back (Yjs), so nothing typed is lost.
 */
export function useRoomConnection(roomId: string, user: { id: string; username: string }) {
  const doc = useMemo(() => new Y.Doc(), []);
  const [provider, setProvider] = useState<HocuspocusProvider>();
  const [state, setState] = useState<ConnectionState>("connecting");
  const [synced, setSynced] = useState(false);
  const [notice, setNotice] = useState<string>();

  useEffect(() => {
    const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    const p = new HocuspocusProvider({
      url: `${scheme}//${window.location.host}/collab`,
      name: roomId,
      document: doc,
      token: async () => (await api<{ token: string }>(`/api/v1/rooms/${roomId}/token`, { method: "POST", body: {} })).token,
      onStatus: ({ status }) => setState(status as ConnectionState),
      onSynced: ({ state: s }) => setSynced(s),
      onAuthenticationFailed: ({ reason }) => setNotice(`The room refused the connection: ${reason}`),
      onClose: ({ event }) => {
        // The owner changed my role: the page reloads to show what I may do now. The room was deleted: back home.
        if (event.code === CLOSE.roleChanged.code) window.location.reload();
        else if (event.code === CLOSE.roomDeleted.code) window.location.assign("/");
        else if (event.code >= 4000 && event.reason) setNotice(event.reason);
      },
      onConnect: () => setNotice(undefined),
    });
    p.setAwarenessField("user", { id: user.id, name: user.username, color: colorFor(user.id) } satisfies PresenceUser);
    setProvider(p);
    return () => {
      p.destroy();
    };
  }, [doc, roomId, user.id, user.username]);

  useEffect(() => () => doc.destroy(), [doc]);

  return { doc, provider, state, synced, notice };
}
