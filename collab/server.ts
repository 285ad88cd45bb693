import { Hocuspocus } from "@hocuspocus/server";
import { WebSocketServer } from "ws";
import { CLIENT_IP_HEADER } from "../lib/http/client-ip";
import { ROOM_CONTROL_CHANNEL, type RoomControlMessage } from "../lib/rooms/events";
import { answerLiveFiles, LIVE_FILES_CHANNEL } from "../lib/rooms/room-files";
import { verifyServiceToken } from "../lib/rooms/room-token";
import type { ServiceContext, ServiceWork } from "../lib/services/service";
import { RoomAuthentication } from "./extensions/authentication";
import { DocumentSizeLimit } from "./extensions/document-size";
import { Membership } from "./extensions/membership";
import { roomPersistence } from "./extensions/persistence";
import { RoomRelay } from "./extensions/relay";
import { SocketCounts } from "./socket-counts";
import { GatedWebSocket } from "./socket/gated-websocket";
import { SocketGate } from "./socket/socket-gate";

/** Waits for `work` at most `ms`; its failure or lateness is not the caller's concern (shutdown goes on). */
const withinMs = (ms: number, work: Promise<unknown>) =>
  Promise.race([work.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, ms).unref())]);

/**
 * The room server. One Yjs document per room (its id is the document name),
 * edited by everyone in the room over a WebSocket at /collab; no locks, edits
 * converge. Each policy is a Hocuspocus extension of its own (extensions/):
 * who may connect and as what (authentication.ts), sockets follow membership
 * (membership.ts), the document size limit, PostgreSQL persistence, and the
 * Redis relay. In front of Hocuspocus, every socket has a gate
 * (socket/socket-gate.ts): little for anyone not yet authenticated, and
 * presence only as the server knows the member (socket/presence-filter.ts).
 *
 * Any number of collab processes may serve the same room: Hocuspocus's Redis
 * extension relays each room's updates and presence between the processes
 * that have it open, stores merge, sockets per user are counted in Redis,
 * and the web app's questions and announcements reach every process on
 * Redis channels.
 */
export async function startCollab(ctx: ServiceContext): Promise<ServiceWork> {
  const { db, redis, config, secret, log } = ctx;
  const socketCounts = new SocketCounts(redis);
  const membership = new Membership({ db, recheckMs: config.SAM_COLLAB_ROLE_RECHECK_MS, log });

  const hocuspocus = new Hocuspocus({
    name: `collab-${process.pid}`,
    quiet: true,
    debounce: config.SAM_COLLAB_STORE_DEBOUNCE_MS,
    maxDebounce: config.SAM_COLLAB_STORE_DEBOUNCE_MS * 5,
    extensions: [
      new RoomRelay(redis),
      roomPersistence(db, log),
      new RoomAuthentication({ db, secret, socketCounts, maxConnectionsPerUser: config.SAM_COLLAB_MAX_CONNECTIONS_PER_USER, log }),
      membership,
      new DocumentSizeLimit(config.SAM_COLLAB_MAX_DOCUMENT_KB * 1024),
    ],
  });
  const documents = hocuspocus.documents;

  // Big messages are refused by the socket itself (close code 1009) before any parsing.
  const sockets = new WebSocketServer({ noServer: true, maxPayload: config.SAM_COLLAB_MAX_MESSAGE_KB * 1024, WebSocket: GatedWebSocket });
  const gateContext = {
    secret,
    log,
    awarenessOf: (roomId: string) => documents.get(roomId)?.awareness,
    limits: {
      authTimeoutMs: config.SAM_COLLAB_AUTH_TIMEOUT_MS,
      maxUnauthenticatedBytes: config.SAM_COLLAB_MAX_UNAUTHENTICATED_KB * 1024,
      maxRooms: config.SAM_COLLAB_MAX_ROOMS_PER_SOCKET,
    },
  };

  // The web app asks every collab process for a room's live files (a run takes them): whoever has the room open answers.
  const answer = (raw: string) =>
    answerLiveFiles({ redis, documents, verify: (token) => verifyServiceToken(secret, token) }, raw).catch((err: Error) =>
      log.warn({ err: err.message }, "a live-files request was not answered"),
    );

  // Members removed or re-roled, rooms deleted: the web app announces it, the sockets concerned close.
  const control = redis.duplicate();
  await control.subscribe(ROOM_CONTROL_CHANNEL, LIVE_FILES_CHANNEL);
  control.on("message", (channel, raw) => {
    if (channel === LIVE_FILES_CHANNEL) return void answer(raw);
    try {
      membership.onControlMessage(JSON.parse(raw) as RoomControlMessage);
    } catch {
      log.warn("an unreadable room control message was ignored");
    }
  });

  return {
    upgrade(req, socket, head) {
      if (new URL(req.url ?? "/", "http://collab").pathname !== "/collab") {
        socket.destroy();
        return;
      }
      sockets.handleUpgrade(req, socket, head, (ws) => {
        // A socket error (an oversized or malformed frame) closes that socket; unhandled, it would end the process.
        ws.on("error", (err) => log.debug({ err: err.message }, "room socket error"));
        // The address the web proxy saw (a direct connection: the peer's), for the log.
        const address = req.headers[CLIENT_IP_HEADER] ?? req.socket.remoteAddress;
        const gate = new SocketGate(ws as GatedWebSocket, { ...gateContext, log: log.child({ address }) });
        // Every room on the socket starts with its gate in the context: authentication tells it the outcome.
        hocuspocus.handleConnection(ws, req, { gate });
      });
    },
    async stop() {
      control.disconnect();
      // Closing every connection stores each document with unsaved changes (its last client left), then unloads it.
      hocuspocus.closeConnections();
      const deadline = Date.now() + 10_000;
      while (hocuspocus.getDocumentsCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (hocuspocus.getDocumentsCount() > 0) log.warn({ rooms: hocuspocus.getDocumentsCount() }, "rooms still open at shutdown");
      sockets.close();
      // Bounded: with Redis unreachable these would wait for it forever (commands queue while offline).
      await withinMs(2000, socketCounts.clear());
      // Extensions let go of what they hold (the Redis extension: its own two connections; membership: its timer).
      await withinMs(2000, hocuspocus.hooks("onDestroy", { instance: hocuspocus }));
    },
  };
}
