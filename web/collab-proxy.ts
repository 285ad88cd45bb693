import http from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "pino";

/**
 * Passes WebSocket upgrades for /collab on to the collab service, so the
 * browser reaches room sockets on the app's own origin (one port to expose,
 * and the page's CSP can keep connect-src 'self'). The proxy only forwards
 * bytes: the collab service authenticates every socket itself.
 */
export function proxyCollabUpgrades(server: http.Server, collabUrl: string, log: Logger): { closeAll(): void } {
  const target = new URL(collabUrl);
  // Upgraded sockets leave the HTTP server's bookkeeping: shutdown closes them from here.
  const open = new Set<Duplex>();
  server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://web");
    if (url.pathname !== "/collab") {
      socket.destroy();
      return;
    }
    const upstream = http.request({
      host: target.hostname,
      port: target.port || 80,
      path: req.url,
      method: "GET",
      headers: { ...req.headers, host: target.host },
    });
    upstream.on("upgrade", (res, upstreamSocket, upstreamHead) => {
      const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage}`];
      for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
      socket.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (upstreamHead.length) socket.write(upstreamHead);
      if (head.length) upstreamSocket.write(head);
      upstreamSocket.pipe(socket).pipe(upstreamSocket);
      open.add(socket);
      const end = () => {
        open.delete(socket);
        socket.destroy();
        upstreamSocket.destroy();
      };
      socket.on("error", end).on("close", end);
      upstreamSocket.on("error", end).on("close", end);
    });
    upstream.on("response", (res) => {
      // The collab service refused the upgrade: pass its answer on.
      socket.end(`HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\nconnection: close\r\n\r\n`);
      res.resume();
    });
    upstream.on("error", (err) => {
      log.warn({ err: err.message }, "collab service unreachable for a room socket");
      socket.end("HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\n\r\n");
    });
    upstream.end();
  });
  return {
    closeAll() {
      for (const socket of open) socket.destroy();
    },
  };
}
