import http from "node:http";
import type { Socket } from "node:net";
import path from "node:path";
import next from "next";
import { loadConfigOrExit } from "../lib/config/env";
import { resolveSecret } from "../lib/config/secret";
import { addressKey, CLIENT_IP_HEADER, resolveClientIp } from "../lib/http/client-ip";
import { createLogger } from "../lib/log";
import { redis } from "../lib/redis/connection";
import { database } from "../lib/db/client";
import { Heartbeat } from "../lib/services/heartbeat";
import { applyConfiguredAdmins } from "../lib/accounts/system-roles";
import { migrate } from "../lib/db/migrate";
import { closeRedis, onShutdown, reportRedisState } from "../lib/services/lifecycle";
import { metricsEndpoint } from "../lib/metrics/endpoint";
import { createWebMetrics } from "../lib/metrics/web";
import { proxyCollabUpgrades } from "./collab-proxy";
import { capConnections } from "./connection-caps";
import { directRoute, serveDirect } from "./direct-routes";

/**
 * The web process: Next.js (pages, sign-in, /api route handlers) behind a
 * plain Node HTTP server. The server exists so that one trusted place sets
 * the client's address for rate limiting, and so shutdown is orderly.
 * The app itself is built by `next build`; this file only serves it.
 */
const config = loadConfigOrExit();
const log = createLogger("web", config.LOG_LEVEL);
if (!process.env.DATABASE_URL || !process.env.REDIS_URL) {
  process.stderr.write("web: DATABASE_URL and REDIS_URL must be set when a service runs on its own (npm start sets them for you).\n");
  process.exit(2);
}
const secret = resolveSecret(config.SAM_SECRET, config.dataDir);
process.env.SAM_SECRET = secret;
process.env.NEXTAUTH_SECRET = secret;
process.env.NEXTAUTH_URL = config.publicUrl;

// Idempotent and locked: whichever process of any machine comes first applies pending migrations.
await migrate(process.env.DATABASE_URL);
// SAM_ADMINS: grants only, to accounts that exist now (see lib/accounts/system-roles.ts).
await applyConfiguredAdmins(database(), config.SAM_ADMINS, log);

const appDir = path.resolve(import.meta.dirname, "..");
const app = next({ dev: false, dir: appDir, hostname: config.HOST, port: config.PORT });
await app.prepare();
const handleRequest = app.getRequestHandler();
const metrics = createWebMetrics(appDir, redis());
const serveMetrics = metricsEndpoint(metrics.registry, config.SAM_METRICS_TOKEN);

// Node checks header and request timeouts every connectionsCheckingInterval (30 s by default), so a
// slow-header connection lived about headersTimeout + 15 s; checked every second it lives headersTimeout.
const server = http.createServer({ connectionsCheckingInterval: 1000 }, (req, res) => {
  // Overwrites any value a client sent: route handlers trust this header.
  req.headers[CLIENT_IP_HEADER] = resolveClientIp(req.socket.remoteAddress, req.headers["x-forwarded-for"], config.SAM_TRUST_PROXY);
  metrics.http.track(req, res);
  if (serveMetrics(req, res)) return;
  // Next.js answers TRACE with a 500 and a logged stack (fetch's Request refuses the method): anyone could make errors at will.
  if (req.method === "TRACE") {
    res.writeHead(405, { "content-type": "application/json", "cache-control": "no-store", allow: "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" });
    res.end(JSON.stringify({ error: { code: "method_not_allowed", message: "TRACE is not served here." } }));
    return;
  }
  // Next.js answers a path with a malformed %-escape with its own 500; it is the client's mistake.
  if (!decodablePath(req.url)) {
    res.writeHead(400, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(
      JSON.stringify({ error: { code: "malformed_url", message: "The path holds a malformed %-escape (a % must be followed by two hex digits of UTF-8)." } }),
    );
    return;
  }
  const direct = directRoute(req);
  (direct ? serveDirect(direct, req, res) : handleRequest(req, res)).catch((err) => {
    log.error({ err }, "request failed");
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end("Internal error");
  });
});
server.headersTimeout = 10_000;
server.requestTimeout = 60_000;
const connections = capConnections(server, {
  // Behind a trusted proxy every connection comes from the proxy: limiting connections per client is its job.
  perAddress: config.SAM_TRUST_PROXY ? 0 : config.SAM_MAX_CONNECTIONS_PER_IP,
  total: config.SAM_MAX_CONNECTIONS,
  log,
});
const collabProxy = proxyCollabUpgrades(server, {
  collabUrl: config.collabUrl,
  // Upgrades skip the request handler above: the same trusted address, taken here.
  // Counted like every per-address limit: an IPv6 client by its /64.
  clientIp: (req) => addressKey(resolveClientIp(req.socket.remoteAddress, req.headers["x-forwarded-for"], config.SAM_TRUST_PROXY)),
  maxUnauthenticatedPerAddress: config.SAM_COLLAB_MAX_UNAUTHENTICATED_PER_IP,
  onAuthenticated: (socket) => connections.working(socket as Socket),
  log,
});

await new Promise<void>((resolve, reject) => {
  server.once("error", reject);
  server.listen(config.PORT, config.HOST, resolve);
}).catch((err: NodeJS.ErrnoException) => {
  log.fatal({ code: err.code }, `cannot listen on ${config.HOST}:${config.PORT}: ${err.message}`);
  process.exit(1);
});
/** True when every %-escape of the request's path decodes (the query is left to the route). */
function decodablePath(url: string | undefined): boolean {
  try {
    decodeURIComponent((url ?? "/").split("?")[0]!);
    return true;
  } catch {
    return false;
  }
}

const heartbeat = new Heartbeat(redis(), "web");
heartbeat.start();
log.info({ url: config.publicUrl }, `web ready on http://${config.HOST}:${config.PORT}`);

reportRedisState(redis(), log);
onShutdown(log, async (reason) => {
  log.info({ reason }, "web stopping");
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeIdleConnections();
  collabProxy.closeAll();
  // Open streams (SSE, room sockets) get a few seconds to finish, then are cut.
  const force = setTimeout(() => server.closeAllConnections(), 5000);
  await closed;
  clearTimeout(force);
  await heartbeat.stop();
  await Promise.allSettled([database().$disconnect(), closeRedis(redis())]);
  log.info("web stopped");
});
