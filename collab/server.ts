import { Hocuspocus } from "@hocuspocus/server";
import { WebSocketServer } from "ws";
import * as Y from "yjs";
import { roomRole } from "../lib/rooms/access";
import { CLOSE } from "../lib/rooms/close-codes";
import { ROOM_CONTROL_CHANNEL, type RoomControlMessage } from "../lib/rooms/events";
import { answerLiveFiles, LIVE_FILES_CHANNEL } from "../lib/rooms/room-files";
import { verifyRoomToken, verifyServiceToken } from "../lib/rooms/room-token";
import { can } from "../lib/rooms/roles";
import type { ServiceContext, ServiceWork } from "../lib/services/service";
import { roomPersistence } from "./persistence";
import { RoomRelay } from "./relay";
import { SocketCounts } from "./socket-counts";

/** Hocuspocus tells the client an error's `reason` when it refuses a connection. */
const refuse = (reason: string) => Object.assign(new Error(reason), { reason });

/** Waits for `work` at most `ms`; its failure or lateness is not the caller's concern (shutdown goes on). */
const withinMs = (ms: number, work: Promise<unknown>) =>
  Promise.race([work.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, ms).unref())]);

/** What onAuthenticate learned about a connection; Hocuspocus hands it to every later hook. */
export interface RoomContext {
  userId: string;
  username: string;
  roomId: string;
  role: "viewer" | "editor" | "owner";
}

/**
 * The room server. One Yjs document per room (its id is the document name),
 * edited by everyone in the room over a WebSocket at /collab; no locks, edits
 * converge. Zero trust: every socket presents a room token the web app signed
 * (room-token.ts), and the member's current role is read from the database on
 * connect; viewers get a read-only connection that Hocuspocus enforces here,
 * so a modified client still cannot change the document.
 *
 * Any number of collab processes may serve the same room: Hocuspocus's Redis
 * extension relays each room's updates and presence between the processes
 * that have it open (relay.ts), stores merge (persistence.ts), sockets per
 * user are counted in Redis, and the web app's questions and announcements
 * reach every process on Redis channels.
 */
export async function startCollab(ctx: ServiceContext): Promise<ServiceWork> {
  const { db, redis, config, secret, log } = ctx;
  const socketCounts = new SocketCounts(redis);
  const maxDocumentBytes = config.SAM_COLLAB_MAX_DOCUMENT_KB * 1024;
  // Bytes of updates since the document's size was last measured: a cheap running upper bound.
  const documentBytes = new Map<string, number>();

  const hocuspocus = new Hocuspocus({
    name: `collab-${process.pid}`,
    quiet: true,
    debounce: config.SAM_COLLAB_STORE_DEBOUNCE_MS,
    maxDebounce: config.SAM_COLLAB_STORE_DEBOUNCE_MS * 5,
    extensions: [new RoomRelay(redis), roomPersistence(db, log)],

    async onAuthenticate({ token, documentName, connectionConfig }) {
      let claims;
      try {
        claims = await verifyRoomToken(secret, token, documentName);
      } catch (err) {
        throw refuse(`The room token was refused (${(err as Error).message}); reload the page to get a new one.`);
      }
      // The token says who; the database says what they may do now (a role may have changed since it was issued).
      const access = await roomRole(db, documentName, claims.userId);
      if (!access) throw refuse("You are not a member of this room (any more).");
      // A quick refusal for the common case; the count that holds is taken atomically once connected.
      const open = await socketCounts.count(claims.userId).catch((err: Error) => {
        log.error({ err: err.message }, "could not count the user's sockets");
        throw refuse("The room server cannot reach its shared state just now; try again in a moment.");
      });
      if (open >= config.SAM_COLLAB_MAX_CONNECTIONS_PER_USER) throw refuse(CLOSE.tooManyConnections.reason);
      connectionConfig.readOnly = !can(access.role, "edit");
      const context: RoomContext = { userId: claims.userId, username: claims.username, roomId: documentName, role: access.role };
      return context;
    },

    async connected({ connection, context, documentName, socketId }) {
      const { userId } = context as RoomContext;
      // Counted (or not) in one step across all collab processes: sockets opened at the same moment all passed onAuthenticate.
      const admitted = await socketCounts.admit(userId, `${socketId}:${documentName}`, config.SAM_COLLAB_MAX_CONNECTIONS_PER_USER).catch((err: Error) => {
        log.error({ err: err.message }, "could not count the user's sockets");
        return false;
      });
      if (!admitted) connection.webSocket.close(CLOSE.tooManyConnections.code, CLOSE.tooManyConnections.reason);
    },

    async onDisconnect({ context, documentName, socketId }) {
      const room = context as RoomContext | undefined;
      if (!room?.userId) return;
      // Not awaited: Hocuspocus stores and unloads the room after this hook, and an unreachable Redis must not hold that up
      // (the entry expires by itself).
      void socketCounts.remove(room.userId, `${socketId}:${documentName}`).catch((err: Error) => log.warn({ err: err.message }, "could not uncount a socket"));
    },

    async afterLoadDocument({ document, documentName }) {
      documentBytes.set(documentName, Y.encodeStateAsUpdate(document).byteLength);
    },

    async onChange({ documentName, update }) {
      documentBytes.set(documentName, (documentBytes.get(documentName) ?? 0) + update.byteLength);
    },

    async afterStoreDocument({ document, documentName }) {
      documentBytes.set(documentName, Y.encodeStateAsUpdate(document).byteLength);
    },

    async beforeHandleMessage({ documentName, connection }) {
      if ((documentBytes.get(documentName) ?? 0) > maxDocumentBytes && !connection.readOnly) {
        connection.close(CLOSE.documentTooLarge);
        throw refuse(CLOSE.documentTooLarge.reason);
      }
    },

    async afterUnloadDocument({ documentName }) {
      documentBytes.delete(documentName);
    },
  });

  // Big messages are refused by the socket itself (close code 1009) before any parsing.
  const sockets = new WebSocketServer({ noServer: true, maxPayload: config.SAM_COLLAB_MAX_MESSAGE_KB * 1024 });

  // The web app asks every collab process for a room's live files (a run takes them): whoever has the room open answers.
  const documents = hocuspocus.documents;
  const answer = (raw: string) =>
    answerLiveFiles({ redis, documents, verify: (token) => verifyServiceToken(secret, token) }, raw).catch((err: Error) =>
      log.warn({ err: err.message }, "a live-files request was not answered"),
    );

  // Members removed or re-roled, rooms deleted: the web app announces it, we close the sockets concerned.
  const control = redis.duplicate();
  await control.subscribe(ROOM_CONTROL_CHANNEL, LIVE_FILES_CHANNEL);
  control.on("message", (channel, raw) => {
    if (channel === LIVE_FILES_CHANNEL) return void answer(raw);
    let message: RoomControlMessage;
    try {
      message = JSON.parse(raw) as RoomControlMessage;
    } catch {
      return;
    }
    const event = message.kind === "deleted" ? CLOSE.roomDeleted : CLOSE.roleChanged;
    for (const connection of hocuspocus.documents.get(message.roomId)?.getConnections() ?? []) {
      // Closing the socket itself (not only this room on it) makes the client reconnect and authenticate afresh.
      if (message.kind === "deleted" || (connection.context as RoomContext).userId === message.userId) connection.webSocket.close(event.code, event.reason);
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
        hocuspocus.handleConnection(ws, req);
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
      // Extensions let go of what they hold (the Redis extension: its own two connections).
      await withinMs(2000, hocuspocus.hooks("onDestroy", { instance: hocuspocus }));
    },
  };
}
