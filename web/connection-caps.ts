import type http from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "pino";
import { addressKey } from "../lib/http/client-ip";

export interface ConnectionCapOptions {
  /** Open connections one client address (IPv6: its /64) may hold; 0 turns the per-address cap off (behind a trusted proxy, the proxy is every connection's peer). */
  perAddress: number;
  /** Open connections of the whole process (each one a file descriptor). */
  total: number;
  log: Logger;
}

/**
 * Caps the TCP connections the web server holds, before a byte of a request is
 * read: per client address and in all. Without them, a client that opens
 * connections and trickles header bytes held thousands at once (two clients:
 * 14,000), close to the process's file-descriptor limit. Every kind of
 * connection counts, SSE streams and room sockets too, each for as long as it
 * is open: the per-address cap is set well above what one person (a few tabs:
 * pages, 2 event streams and a room socket per room tab) or a classroom behind
 * one NAT address needs. A connection over the per-address cap gets `429
 * too_many_connections` and is closed.
 *
 * At the total cap the newcomer is not simply refused: many addresses each
 * holding a request whose body never finishes would fill it and keep everyone
 * else out. Room is made, in this order, by closing:
 *  1. the connection that has been waiting longest without a complete request
 *     to answer: idle keep-alives, unfinished headers, unfinished bodies, room
 *     sockets not signed in yet (what such an attacker holds, with no account;
 *     a person's browser reconnects for its next request as it does after any
 *     keep-alive timeout). A request received whole is never among them,
 *     however long its answer takes (an event stream, a run waited for), nor
 *     a signed-in room socket. A newcomer's request is the youngest: to shed
 *     it, every connection that waited longer would have to be shed first,
 *     within the milliseconds its request takes to arrive;
 *  2. else, the oldest connection of the address holding the most, as long as
 *     it holds more than the newcomer's address would (33 addresses of 256
 *     streams each cannot keep others out);
 * and only when every address holds about the same is the newcomer refused
 * (`503 busy`).
 */
export function capConnections(server: http.Server, opts: ConnectionCapOptions): { working(socket: Socket): void } {
  /** Each address's open connections, oldest first (a Set keeps insertion order). */
  const open = new Map<string, Set<Socket>>();
  const addressOf = new Map<Socket, string>();
  /** Connections not answering a complete request, longest waiting first (moved to the end when they start waiting again). */
  const waiting = new Set<Socket>();
  /** The request each connection is answering, if any. */
  const answering = new Map<Socket, http.IncomingMessage>();
  let total = 0;
  let lastWarned = 0;
  const warn = (fields: object, message: string) => {
    if (Date.now() - lastWarned < 10_000) return;
    lastWarned = Date.now();
    opts.log.warn(fields, message);
  };

  server.on("connection", (socket: Socket) => {
    const key = addressKey(socket.remoteAddress ?? "unknown");
    const mine = open.get(key)?.size ?? 0;
    if (opts.perAddress > 0 && mine >= opts.perAddress) {
      warn({ address: key, open: mine, total }, "connection refused: too_many_connections");
      return refuse(socket, {
        status: "429 Too Many Requests",
        code: "too_many_connections",
        message: "Too many connections are open from your address; close some (tabs, scripts) and try again.",
      });
    }
    if (total >= opts.total) {
      const shed = longestWaiting() ?? oldestOfHeaviest(mine);
      if (!shed) {
        warn({ address: key, open: mine, total }, "connection refused: busy");
        return refuse(socket, {
          status: "503 Service Unavailable",
          code: "busy",
          message: "The server has too many open connections right now; try again in a few seconds.",
        });
      }
      warn({ address: addressOf.get(shed), total }, "connection shed to make room for a newcomer");
      // Uncounted now, not when its close event comes: the newcomer takes its place at once.
      forget(shed);
      shed.destroy();
    }
    total++;
    let sockets = open.get(key);
    if (!sockets) open.set(key, (sockets = new Set()));
    sockets.add(socket);
    addressOf.set(socket, key);
    waiting.add(socket);
    socket.once("close", () => forget(socket));
  });

  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    answering.set(socket, req);
    res.once("close", () => {
      answering.delete(socket);
      // Waiting for its next request from now on (the longest waiting are shed first).
      if (addressOf.has(socket) && !socket.destroyed) {
        waiting.delete(socket);
        waiting.add(socket);
      }
    });
  });

  /** The longest-waiting connection that has no complete request to answer. */
  function longestWaiting(): Socket | undefined {
    for (const socket of waiting.keys()) {
      // Received whole: being answered (back in line once the answer ends).
      if (answering.get(socket)?.complete) {
        waiting.delete(socket);
        continue;
      }
      return socket;
    }
    return undefined;
  }

  function oldestOfHeaviest(mine: number): Socket | undefined {
    let heaviest: Set<Socket> | undefined;
    for (const sockets of open.values()) if (!heaviest || sockets.size > heaviest.size) heaviest = sockets;
    if (!heaviest || heaviest.size <= mine + 1) return undefined;
    return heaviest.values().next().value;
  }

  return {
    /** A connection that does work for someone signed in (a room socket once authenticated): never shed as waiting. */
    working(socket: Socket): void {
      waiting.delete(socket);
    },
  };

  function forget(socket: Socket): void {
    const key = addressOf.get(socket);
    if (key === undefined) return;
    addressOf.delete(socket);
    waiting.delete(socket);
    answering.delete(socket);
    total--;
    const sockets = open.get(key)!;
    sockets.delete(socket);
    if (sockets.size === 0) open.delete(key);
  }
}

function refuse(socket: Socket, answer: { status: string; code: string; message: string }): void {
  const body = JSON.stringify({ error: { code: answer.code, message: answer.message } });
  // Nothing it sends is read: the HTTP server must not start on a request of a refused connection.
  socket.pause();
  socket.on("error", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${answer.status}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nretry-after: 5\r\nconnection: close\r\n\r\n${body}`,
  );
  // A peer that never reads must not keep the socket.
  setTimeout(() => socket.destroy(), 2000).unref();
}
