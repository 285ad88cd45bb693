import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import { inject } from "vitest";
import WebSocket from "ws";
import * as Y from "yjs";
import { api, registerUser } from "./api";

export type TestUser = Awaited<ReturnType<typeof registerUser>>;

/** A room owned by a fresh user, plus a viewer and an editor invited by name, and a user who is not a member. */
export async function roomWithMembers(language = "python") {
  const [owner, editor, viewer, outsider] = await Promise.all([registerUser(), registerUser(), registerUser(), registerUser()]);
  const created = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "Test room", language } });
  if (created.status !== 201) throw new Error(`room not created: ${created.status} ${created.text}`);
  const roomId = created.json.id as string;
  for (const [user, role] of [
    [editor, "editor"],
    [viewer, "viewer"],
  ] as const) {
    const invited = await api("POST", `/api/v1/rooms/${roomId}/members`, { token: owner.token, body: { username: user.username, role } });
    if (invited.status !== 201) throw new Error(`invite failed: ${invited.status} ${invited.text}`);
  }
  return { roomId, owner, editor, viewer, outsider };
}

export async function roomToken(roomId: string, user: TestUser): Promise<string> {
  const res = await api("POST", `/api/v1/rooms/${roomId}/token`, { token: user.token, body: {} });
  if (res.status !== 200) throw new Error(`no room token: ${res.status} ${res.text}`);
  return res.json.token as string;
}

export interface RoomClient {
  doc: Y.Doc;
  provider: HocuspocusProvider;
  socket: HocuspocusProviderWebsocket;
  closeEvents: Array<{ code: number; reason: string }>;
  authFailures: string[];
  synced: Promise<void>;
  destroy(): void;
}

/**
 * A room client in Node, as a browser tab would be: @hocuspocus/provider on
 * the room socket through the web app's /collab proxy (or straight to the
 * collab service), with a token function (fresh token per connect).
 */
export function connectRoom(roomId: string, token: string | (() => Promise<string>), opts: { direct?: boolean; collabUrl?: string } = {}): RoomClient {
  const base = opts.collabUrl ?? (opts.direct ? inject("collabUrl") : inject("webUrl"));
  const url = `${base.replace(/^http/, "ws")}/collab`;
  const doc = new Y.Doc();
  const closeEvents: RoomClient["closeEvents"] = [];
  const authFailures: string[] = [];
  const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: WebSocket as never, maxAttempts: 0 });
  let resolveSynced!: () => void;
  const synced = new Promise<void>((resolve) => (resolveSynced = resolve));
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name: roomId,
    document: doc,
    token,
    onSynced: ({ state }) => state && resolveSynced(),
    onAuthenticationFailed: ({ reason }) => authFailures.push(reason),
    onClose: ({ event }) => closeEvents.push({ code: event.code, reason: event.reason }),
  });
  provider.attach();
  return {
    doc,
    provider,
    socket,
    closeEvents,
    authFailures,
    synced,
    destroy() {
      // ws reports closing a socket that is still connecting as an error event: expected here, not a failure.
      (socket as unknown as { webSocket?: { on?: (event: string, fn: () => void) => void } }).webSocket?.on?.("error", () => undefined);
      provider.destroy();
      socket.destroy();
      doc.destroy();
    },
  };
}

/** Polls until `check` holds (or fails the test with `what` after `ms`). */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting: ${what}`);
}
