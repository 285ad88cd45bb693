import http from "node:http";
import type { Duplex, Writable } from "node:stream";
import type { Logger } from "pino";
import * as ws from "ws";
import { CLIENT_IP_HEADER } from "../lib/http/client-ip";
import { AddressCounts, CLIENT_IP_PROOF_HEADER, proveClientIp, refuseUpgrade, TOO_MANY_SIGNING_IN } from "../lib/rooms/socket-admission";
import { isAuthenticatedReply } from "../lib/rooms/socket-protocol";

export interface CollabProxyOptions {
  collabUrl: string;
  /** The client's address, as the web server trusts it (see lib/http/client-ip.ts). */
  clientIp(req: http.IncomingMessage): string;
  /** Room sockets one address may have open that have not authenticated yet. */
  maxUnauthenticatedPerAddress: number;
  log: Logger;
  /** Told when a room socket has authenticated (the connection caps then never shed it as waiting). */
  onAuthenticated?(socket: Duplex): void;
  /** Signs the client address for the collab service (it counts sockets per address too); web/server.ts puts it in the environment first. */
  secret?: string;
}

/**
 * Passes WebSocket upgrades for /collab on to the collab service, so the
 * browser reaches room sockets on the app's own origin (one port to expose,
 * and the page's CSP can keep connect-src 'self'). The collab service
 * authenticates every socket itself; the proxy forwards bytes, with one
 * limit of its own: each client address may have only a few sockets open
 * that have not authenticated yet (until the collab service tells the
 * socket it is authenticated, or the socket closes). One more is refused
 * with 429, before a byte of it reaches the collab service; other addresses
 * are not affected. The count is per web process. The collab service counts
 * per address too (it may be reached directly): the address the proxy passes
 * on is signed, so the collab service counts each client, not the proxy.
 */
export function proxyCollabUpgrades(server: http.Server, opts: CollabProxyOptions): { closeAll(): void } {
  const target = new URL(opts.collabUrl);
  const secret = opts.secret ?? process.env.SAM_SECRET;
  // Upgraded sockets leave the HTTP server's bookkeeping: shutdown closes them from here.
  const open = new Set<Duplex>();
  const unauthenticated = new AddressCounts();
  server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://web");
    if (url.pathname !== "/collab") {
      socket.destroy();
      return;
    }
    const ip = opts.clientIp(req);
    // Node takes its own error listener off an upgraded socket: a reset while refusing it must not end the process.
    socket.on("error", () => socket.destroy());
    if (unauthenticated.count(ip) >= opts.maxUnauthenticatedPerAddress) {
      opts.log.info({ ip }, "room socket refused: too many unauthenticated sockets from one address");
      refuseUpgrade(socket, 429, "too_many_connections", TOO_MANY_SIGNING_IN);
      return;
    }
    // Uncounted once the collab service has authenticated the socket, or when it closes, whichever comes first.
    const uncount = unauthenticated.hold(ip);
    socket.once("close", uncount);
    const upstream = http.request({
      host: target.hostname,
      port: target.port || 80,
      path: req.url,
      method: "GET",
      headers: { ...req.headers, host: target.host, [CLIENT_IP_HEADER]: ip, ...(secret ? { [CLIENT_IP_PROOF_HEADER]: proveClientIp(secret, ip) } : {}) },
    });
    upstream.on("upgrade", (res, upstreamSocket, upstreamHead) => {
      // The client left while the collab service was answering: nothing to join it to.
      if (socket.destroyed) return void upstreamSocket.destroy();
      const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage}`];
      for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
      socket.write(`${lines.join("\r\n")}\r\n\r\n`);
      if (upstreamHead.length) socket.write(upstreamHead);
      if (head.length) upstreamSocket.write(head);
      watchForAuthentication(upstreamSocket, upstreamHead, () => {
        uncount();
        opts.onAuthenticated?.(socket);
      });
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
      opts.log.warn({ err: err.message }, "collab service unreachable for a room socket");
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

// ws's own frame parser (exported by ws, though not in its type definitions).
const { Receiver } = ws as unknown as { Receiver: new (options: { isServer: boolean; maxPayload: number }) => Writable };

/**
 * Reads the collab service's side of a room socket until it tells the client
 * "authenticated" (its first answer to a good token), then calls `done` and
 * stops reading. Before that the service sends only a few small messages
 * (a refusal, pings), so little is ever parsed here.
 */
function watchForAuthentication(upstream: Duplex, head: Buffer, done: () => void): void {
  const frames = new Receiver({ isServer: false, maxPayload: 64 * 1024 });
  const feed = (chunk: Buffer) => frames.write(chunk);
  const stop = () => {
    upstream.off("data", feed);
    frames.removeAllListeners();
    frames.on("error", () => undefined);
  };
  frames.on("message", (data: Buffer) => {
    if (!isAuthenticatedReply(data)) return;
    stop();
    done();
  });
  // Not what the collab service sends: the socket stays counted until it closes.
  frames.on("error", stop);
  upstream.on("data", feed);
  if (head.length) feed(head);
}
