"use client";

import { HocuspocusProvider } from "@hocuspocus/provider";
import { useEffect, useState } from "react";
import * as Y from "yjs";
import { CLOSE } from "@/lib/rooms/close-codes";
import { presenceUser } from "@/lib/rooms/presence";
import { api } from "./api";
import { guardPresence } from "./usePresence";

export type ConnectionState = "connecting" | "connected" | "disconnected";

/** The room server refused a change this page made: the page's document holds it, and would offer it again on every reconnect. */
const REFUSED_CHANGE = new Set<number>([CLOSE.documentTooLarge.code, CLOSE.documentRefused.code, CLOSE.serverBusy.code]);

/**
 * The room's shared document, kept in sync over the room socket. The token
 * is fetched afresh for every (re)connect, so a changed role applies at the
 * next connection. Edits made while disconnected stay in the local document
 * and merge when the socket is back (Yjs), so nothing typed is lost.
 *
 * Except a change the room server refused (the document is full, or the
 * change does not fit it): the local document would send it again on every
 * reconnect, to be refused again, so the page starts over with a fresh one
 * from the room as the server has it, and says why.
 */
export function useRoomConnection(roomId: string, user: { id: string; username: string }) {
  const [doc, setDoc] = useState(() => new Y.Doc());
  const [provider, setProvider] = useState<HocuspocusProvider>();
  const [state, setState] = useState<ConnectionState>("connecting");
  const [synced, setSynced] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [refusal, setRefusal] = useState<string>();

  // The user's fields, not the object: a new object with the same person must not reconnect the room.
  const { id: userId, username } = user;
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
        else if (REFUSED_CHANGE.has(event.code)) {
          setRefusal(event.reason);
          setSynced(false);
          setDoc(new Y.Doc());
        } else if (event.code >= 4000 && event.reason) setNotice(event.reason);
      },
      onConnect: () => setNotice(undefined),
    });
    // Before anyone else listens: remote presence is checked as it arrives.
    if (p.awareness) guardPresence(p.awareness);
    // Who I am, for my own view: the others see what the room server says I am.
    p.setAwarenessField("user", presenceUser({ id: userId, username }));
    setProvider(p);
    return () => {
      p.destroy();
    };
  }, [doc, roomId, userId, username]);

  useEffect(() => () => doc.destroy(), [doc]);

  // A refusal stays on screen a while after the fresh connection (which clears other notices).
  useEffect(() => {
    if (!refusal) return;
    const timer = setTimeout(() => setRefusal(undefined), 15_000);
    return () => clearTimeout(timer);
  }, [refusal]);

  return { doc, provider, state, synced, notice: refusal ?? notice };
}
