import http from "node:http";
import type { Logger } from "pino";
import type { Redis } from "ioredis";
import { loadConfigOrExit, type Config } from "../config/env";
import { resolveSecret } from "../config/secret";
import { createDatabase, type Database } from "../db/client";
import { createRedis } from "../redis/connection";
import { createLogger, describeUrl } from "../log";
import { checkDatabase, checkRedis } from "./health";
import { Heartbeat, type ServiceName } from "./heartbeat";
import { migrate } from "../db/migrate";
import { metricsEndpoint } from "../metrics/endpoint";
import { createRegistry } from "../metrics/registry";
import type { Registry } from "prom-client";
import { closeRedis, onShutdown, reportRedisState } from "./lifecycle";

/**
 * The skeleton every back-end service (collab, runner) shares: validated
 * configuration, connections to PostgreSQL and Redis, a heartbeat, a
 * GET /health endpoint, and one orderly shutdown on SIGINT/SIGTERM.
 */
export interface ServiceContext {
  config: Config;
  /** SAM_SECRET, for the services that sign or verify tokens (collab); reading it elsewhere is a bug and throws. */
  readonly secret: string;
  db: Database;
  redis: Redis;
  /** This process's Prometheus registry, served at /metrics (lib/metrics/). */
  metrics: Registry;
  log: Logger;
  /** Aborted when the service is asked to stop, including while it is still starting. */
  signal: AbortSignal;
  /** This process's heartbeat: a service may add details to it (the runner does, for the admin page). */
  readonly heartbeat: Heartbeat;
}

/** What a started service hands back: how to stop, and optionally WebSockets to serve on its port. */
export interface ServiceWork {
  stop(): Promise<void>;
  /** Takes over an HTTP upgrade (WebSocket) on the service's port. */
  upgrade?(req: http.IncomingMessage, socket: import("node:stream").Duplex, head: Buffer): void;
}

export interface ServiceDefinition {
  name: ServiceName;
  port: (config: Config) => number;
  /** Starts the service's own work; returns what to run on shutdown (or a ServiceWork). */
  start?: (ctx: ServiceContext) => Promise<(() => Promise<void>) | ServiceWork>;
}

/**
 * Only these services sign or verify anything. The runner executes untrusted
 * code: it neither gets SAM_SECRET from the supervisor nor makes the secret
 * file, so nothing it could leak signs a session or a room token.
 */
const SIGNING_SERVICES: ReadonlySet<ServiceName> = new Set(["web", "collab"]);

/** The variable that sets each back-end service's port, for messages that tell the host what to change. */
const PORT_VARIABLE: Record<ServiceName, string> = { web: "PORT", collab: "COLLAB_PORT", runner: "RUNNER_PORT" };

/**
 * Logs why the service cannot run, tells the supervisor (which then reports
 * it as the reason start-up failed) and exits.
 */
async function fail(log: Logger, reason: string): Promise<never> {
  log.fatal(reason);
  if (process.send && process.connected) {
    await new Promise<void>((resolve) => {
      process.send!({ type: "sam:failed", reason }, undefined, {}, () => resolve());
      setTimeout(resolve, 1000).unref();
    });
  }
  process.exit(1);
}

function secretFor(name: ServiceName, config: Config): () => string {
  if (!SIGNING_SERVICES.has(name)) {
    return () => {
      throw new Error(`the ${name} service signs nothing and has no SAM_SECRET`);
    };
  }
  // Resolved now, so a bad secret file stops start-up rather than the first signature.
  const secret = resolveSecret(config.SAM_SECRET, config.dataDir);
  return () => secret;
}

export async function runService(def: ServiceDefinition): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger(def.name, config.LOG_LEVEL);
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!databaseUrl || !redisUrl) {
    process.stderr.write(`${def.name}: DATABASE_URL and REDIS_URL must be set when a service runs on its own (npm start sets them for you).\n`);
    process.exit(2);
  }
  // Idempotent and locked: whichever process of any machine comes first applies pending migrations.
  await migrate(databaseUrl).catch((err: Error) => fail(log, `${def.name} could not prepare the database: ${err.message}`));
  const stopping = new AbortController();
  const secret = secretFor(def.name, config);
  const ctx: ServiceContext = {
    signal: stopping.signal,
    config,
    metrics: createRegistry(def.name),
    get secret() {
      return secret();
    },
    db: createDatabase(databaseUrl),
    redis: createRedis(redisUrl),
    log,
    get heartbeat() {
      return heartbeat;
    },
  };
  const serveMetrics = metricsEndpoint(ctx.metrics, config.SAM_METRICS_TOKEN);
  reportRedisState(ctx.redis, log);
  const heartbeat = new Heartbeat(ctx.redis, def.name);
  heartbeat.start();
  let server: http.Server | undefined;
  let work: ServiceWork = { stop: async () => undefined };
  // Registered before start-up work: a stop request during a long preparation (building the
  // sandbox image) aborts it, so no child process outlives the service.
  onShutdown(log, async (reason) => {
    log.info({ reason }, `${def.name} service stopping`);
    stopping.abort();
    server?.close();
    await work.stop();
    await heartbeat.stop();
    await Promise.allSettled([ctx.db.$disconnect(), closeRedis(ctx.redis)]);
    log.info(`${def.name} service stopped`);
  });
  if (def.start) {
    try {
      const started = await def.start(ctx);
      work = typeof started === "function" ? { stop: started } : started;
    } catch (err) {
      if (stopping.signal.aborted) return;
      await fail(log, `${def.name} could not start: ${(err as Error).message}`);
    }
  }

  server = http.createServer(async (req, res) => {
    if (req.method === "GET" && req.url === "/health") {
      const [database, redis] = await Promise.all([checkDatabase(ctx.db), checkRedis(ctx.redis)]);
      const ok = database === "ok" && redis === "ok";
      res.writeHead(ok ? 200 : 503, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: ok ? "ok" : "degraded", service: def.name, database, redis }));
      return;
    }
    if (serveMetrics(req, res)) return;
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "not_found", message: "Only GET /health and GET /metrics are served here." } }));
  });
  server.on("upgrade", (req, socket, head) => {
    if (work.upgrade) work.upgrade(req, socket, head);
    else socket.destroy();
  });
  const port = def.port(config);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, config.HOST, resolve);
  }).catch(async (err: NodeJS.ErrnoException) => {
    const taken = err.code === "EADDRINUSE" ? `; port ${port} is already in use by another program (set ${PORT_VARIABLE[def.name]} to a free port)` : "";
    await fail(log, `${def.name} cannot listen on ${config.HOST}:${port}: ${err.message}${taken}`);
  });
  log.info(
    { port, host: config.HOST, database: describeUrl(databaseUrl), redis: describeUrl(redisUrl) },
    `${def.name} service ready; health at http://${config.HOST}:${port}/health`,
  );
}
