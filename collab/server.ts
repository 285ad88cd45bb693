import { Hocuspocus } from "@hocuspocus/server";
import { WebSocketServer } from "ws";
import type { CourseControlMessage } from "../lib/classroom/workspaces/announce";
import { ROOM_CONTROL_CHANNEL, type RoomControlMessage } from "../lib/rooms/events";
import { answerLiveFiles, LIVE_FILES_CHANNEL } from "../lib/rooms/room-files";
import { verifyServiceToken } from "../lib/rooms/room-token";
import { AddressCounts, refuseUpgrade, TOO_MANY_SIGNING_IN, upgradeClientIp } from "../lib/rooms/socket-admission";
import type { ServiceContext, ServiceWork } from "../lib/services/service";
import { RoomAuthentication } from "./extensions/authentication";
import { UpdateLog } from "./document/update-log";
import { DocumentBudget } from "./extensions/document-budget";
import { DurableEdits } from "./extensions/durable-edits";
import { NoPendingEdits } from "./extensions/no-pending";
import { Membership } from "./extensions/membership";
import { RoomMetrics, timeStores } from "./extensions/metrics";
import { CollabMetrics } from "../lib/metrics/collab";
import { RoomPersistence } from "./extensions/persistence";
import { RoomRelay } from "./extensions/relay";
import { SocketCounts } from "./socket-counts";
import { GatedWebSocket } from "./socket/gated-websocket";
import { LogThrottle } from "./socket/log-throttle";
import { SocketGate } from "./socket/socket-gate";
import { UserRooms } from "./user-rooms";

/** Waits for `work` at most `ms`; its failure or lateness is not the caller's concern (shutdown goes on). */
const withinMs = (ms: number, work: Promise<unknown>) => Promise.race([work.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, ms).unref())]);

/**
 * The room server. One Yjs document per room (its id is the document name),
 * edited by everyone in the room over a WebSocket at /collab; no locks, edits
 * converge. Each policy is a Hocuspocus extension of its own (extensions/):
 * who may connect and as what (authentication.ts), sockets follow membership
 * (membership.ts), what documents may cost (document-budget.ts), PostgreSQL
 * persistence, and the Redis relay. In front of Hocuspocus, every socket has
 * a gate (socket/socket-gate.ts): little for anyone not yet authenticated,
 * then only what the room's document may take (socket/authenticated-room.ts,
 * document/update-check.ts), presence only as the server knows the member
 * (socket/presence-filter.ts), and replies queued only while the client
 * keeps up (socket/gated-websocket.ts).
 *
 * What one process holds is bounded: each room by its document's shape and
 * budget, all rooms together by a memory budget, the rooms per user, the
 * unauthenticated sockets per client address, and what waits unsent per
 * socket; no failing hook (a store, Redis) ends the process.
 *
 * Any number of collab processes may serve the same room: Hocuspocus's Redis
 * extension relays each room's updates and presence between the processes
 * that have it open, stores merge, sockets per user are counted in Redis,
 * and the web app's questions and announcements reach every process on
 * Redis channels.
 */
export async function startCollab(ctx: ServiceContext): Promise<ServiceWork> {
  const { db, redis, config, secret, log } = ctx;
  // Hocuspocus runs some hooks without waiting for them (onChange, presence, stateless): a rejection there is logged, not fatal.
  const unhandled = (reason: unknown) =>
    log.error({ err: reason instanceof Error ? reason.message : String(reason) }, "a room server task failed with nobody to handle it; going on");
  process.on("unhandledRejection", unhandled);
  const socketCounts = new SocketCounts(redis);
  const membership = new Membership({ db, recheckMs: config.SAM_COLLAB_ROLE_RECHECK_MS, log });
  const budget = new DocumentBudget({
    maxBytes: config.SAM_COLLAB_MAX_DOCUMENT_KB * 1024,
    maxItems: config.SAM_COLLAB_MAX_DOCUMENT_ITEMS,
    processBytes: config.SAM_COLLAB_MEMORY_BUDGET_MB * 1024 * 1024,
  });
  const updates = new UpdateLog(db);
  const persistence = new RoomPersistence({ db, log, budget, updates });
  // Read at each scrape (after start-up): rooms and connections from Hocuspocus, sockets from the WebSocket server.
  const metrics: CollabMetrics = new CollabMetrics(ctx.metrics, {
    rooms: (): number => hocuspocus.getDocumentsCount(),
    connections: (): number => hocuspocus.getConnectionsCount(),
    sockets: (): number => sockets.clients.size,
  });
  timeStores(persistence, metrics);

  const hocuspocus = new Hocuspocus({
    name: `collab-${process.pid}`,
    quiet: true,
    debounce: config.SAM_COLLAB_STORE_DEBOUNCE_MS,
    maxDebounce: config.SAM_COLLAB_STORE_DEBOUNCE_MS * 5,
    extensions: [
      new RoomRelay(redis),
      persistence,
      new RoomAuthentication({
        db,
        secret,
        socketCounts,
        maxConnectionsPerUser: config.SAM_COLLAB_MAX_CONNECTIONS_PER_USER,
        userRooms: new UserRooms(),
        maxRoomsPerUser: config.SAM_COLLAB_MAX_ROOMS_PER_USER,
        log,
      }),
      membership,
      budget,
      new NoPendingEdits(log),
      new RoomMetrics(metrics),
      // Last: an edit is logged (and so acknowledged) only once every other extension has let it through.
      new DurableEdits({ log: updates, logger: log, budget }),
    ],
  });
  const documents = hocuspocus.documents;

  // Big messages are refused by the socket itself (close code 1009) before any parsing.
  const sockets = new WebSocketServer({ noServer: true, maxPayload: config.SAM_COLLAB_MAX_MESSAGE_KB * 1024, WebSocket: GatedWebSocket });
  const logThrottle = new LogThrottle();
  const gateContext = {
    secret,
    log,
    logThrottle,
    awarenessOf: (roomId: string) => documents.get(roomId)?.awareness,
    documents: {
      documentOf: (roomId: string) => documents.get(roomId),
      admit: budget.admit.bind(budget),
      settle: budget.settle.bind(budget),
      bytesOf: budget.bytesOf.bind(budget),
    },
    limits: {
      authTimeoutMs: config.SAM_COLLAB_AUTH_TIMEOUT_MS,
      maxUnauthenticatedBytes: config.SAM_COLLAB_MAX_UNAUTHENTICATED_KB * 1024,
      maxRooms: config.SAM_COLLAB_MAX_ROOMS_PER_SOCKET,
      maxSendBufferBytes: config.SAM_COLLAB_MAX_SEND_BUFFER_KB * 1024,
    },
  };
  // Sockets not yet authenticated, per client address (the web proxy counts too; the collab port may be reached directly).
  const signingIn = new AddressCounts();

  // The web app asks every collab process for a room's live files (a run takes them): whoever has the room open answers.
  const answer = (raw: string) =>
    answerLiveFiles({ redis, documents, verify: (token) => verifyServiceToken(secret, token) }, raw).catch((err: Error) =>
      log.warn({ err: err.message }, "a live-files request was not answered"),
    );

  // Members removed or re-roled, rooms deleted, course roles changed: the web app announces it, the sockets concerned close.
  const control = redis.duplicate();
  await control.subscribe(ROOM_CONTROL_CHANNEL, LIVE_FILES_CHANNEL);
  control.on("message", (channel, raw) => {
    if (channel === LIVE_FILES_CHANNEL) return void answer(raw);
    try {
      membership.onControlMessage(JSON.parse(raw) as RoomControlMessage | CourseControlMessage);
    } catch {
      log.warn("an unreadable room control message was ignored");
    }
  });

  return {
    upgrade(req, socket, head) {
      // Node takes its own error listener off an upgraded socket: a reset while refusing it must not end the process.
      socket.on("error", () => socket.destroy());
      if (new URL(req.url ?? "/", "http://collab").pathname !== "/collab") {
        socket.destroy();
        return;
      }
      // The address the web proxy saw and signed; a direct connection's peer.
      const address = upgradeClientIp(req, secret);
      if (signingIn.count(address) >= config.SAM_COLLAB_MAX_UNAUTHENTICATED_PER_IP) {
        logThrottle.info(log, { address }, "room socket refused: too many unauthenticated sockets from one address");
        refuseUpgrade(socket, 429, "too_many_connections", TOO_MANY_SIGNING_IN);
        return;
      }
      const release = signingIn.hold(address);
      socket.once("close", release);
      sockets.handleUpgrade(req, socket, head, (ws) => {
        // A socket error (an oversized or malformed frame) closes that socket; unhandled, it would end the process.
        ws.on("error", (err) => log.debug({ err: err.message }, "room socket error"));
        ws.once("close", release);
        const gate = new SocketGate(ws as GatedWebSocket, { ...gateContext, log: log.child({ address }), onAuthenticated: release });
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
      if (persistence.unsaved().length > 0)
        log.warn(
          { rooms: persistence.unsaved() },
          "rooms whose document could not be stored at shutdown (their stores kept failing): their acknowledged edits stay in the edit log and apply when the room loads again",
        );
      sockets.close();
      // Bounded: with Redis unreachable these would wait for it forever (commands queue while offline).
      await withinMs(2000, socketCounts.clear());
      // Extensions let go of what they hold (the Redis extension: its own two connections; membership: its timer).
      await withinMs(2000, hocuspocus.hooks("onDestroy", { instance: hocuspocus }));
      process.off("unhandledRejection", unhandled);
    },
  };
}
