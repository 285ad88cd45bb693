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
 * one NAT address needs. A connection over a cap gets `429
 * too_many_connections` (per address) or `503 busy` (in all) and is closed.
 */
export function capConnections(server: http.Server, opts: ConnectionCapOptions): void {
  const open = new Map<string, number>();
  let total = 0;
  let lastWarned = 0;
  server.on("connection", (socket: Socket) => {
    const key = addressKey(socket.remoteAddress ?? "unknown");
    const mine = open.get(key) ?? 0;
    const refused =
      total >= opts.total
        ? { status: "503 Service Unavailable", code: "busy", message: "The server has too many open connections right now; try again in a few seconds." }
        : opts.perAddress > 0 && mine >= opts.perAddress
          ? { status: "429 Too Many Requests", code: "too_many_connections", message: "Too many connections are open from your address; close some (tabs, scripts) and try again." }
          : undefined;
    if (refused) {
      if (Date.now() - lastWarned > 10_000) {
        lastWarned = Date.now();
        opts.log.warn({ address: key, open: mine, total }, `connection refused: ${refused.code}`);
      }
      return refuse(socket, refused);
    }
    total++;
    open.set(key, mine + 1);
    socket.once("close", () => {
      total--;
      const left = (open.get(key) ?? 1) - 1;
      if (left > 0) open.set(key, left);
      else open.delete(key);
    });
  });
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
