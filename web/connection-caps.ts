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
 * At the total cap the newcomer is not simply refused: a few addresses at
 * their own cap would fill it and keep everyone else out (33 addresses of 256
 * connections each, holding requests whose bodies never finish, took a
 * process's 8,000). The address holding the most connections gives up its
 * oldest one instead, as long as it holds more than the newcomer's address
 * would; only when every address holds about the same is the newcomer
 * refused (`503 busy`).
 */
export function capConnections(server: http.Server, opts: ConnectionCapOptions): void {
  /** Each address's open connections, oldest first (a Set keeps insertion order). */
  const open = new Map<string, Set<Socket>>();
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
      return refuse(socket, { status: "429 Too Many Requests", code: "too_many_connections", message: "Too many connections are open from your address; close some (tabs, scripts) and try again." });
    }
    if (total >= opts.total) {
      const heaviest = heaviestAddress(open);
      if (!heaviest || heaviest.sockets.size <= mine + 1) {
        warn({ address: key, open: mine, total }, "connection refused: busy");
        return refuse(socket, { status: "503 Service Unavailable", code: "busy", message: "The server has too many open connections right now; try again in a few seconds." });
      }
      const oldest = heaviest.sockets.values().next().value!;
      warn({ address: heaviest.key, open: heaviest.sockets.size, total }, "connection shed: the address holding the most gave up its oldest");
      // Uncounted now, not when its close event comes: the newcomer takes its place at once.
      forget(heaviest.key, oldest);
      oldest.destroy();
    }
    total++;
    let sockets = open.get(key);
    if (!sockets) open.set(key, (sockets = new Set()));
    sockets.add(socket);
    socket.once("close", () => forget(key, socket));
  });

  function forget(key: string, socket: Socket): void {
    const sockets = open.get(key);
    if (!sockets?.delete(socket)) return;
    total--;
    if (sockets.size === 0) open.delete(key);
  }
}

function heaviestAddress(open: Map<string, Set<Socket>>): { key: string; sockets: Set<Socket> } | undefined {
  let heaviest: { key: string; sockets: Set<Socket> } | undefined;
  for (const [key, sockets] of open) if (!heaviest || sockets.size > heaviest.sockets.size) heaviest = { key, sockets };
  return heaviest;
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
