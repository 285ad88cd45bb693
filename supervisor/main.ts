import fs from "node:fs";
import path from "node:path";
import { loadConfigOrExit } from "../lib/config/env";
import { resolveSecret } from "../lib/config/secret";
import { migrate } from "../lib/db/migrate";
import { createLogger, describeUrl } from "../lib/log";
import { startEmbeddedPostgres } from "./embedded-postgres";
import { startEmbeddedRedis } from "./embedded-redis";
import { ServiceSet } from "./services";

/**
 * `npm start`: one command for the whole product on one machine.
 *  1. validate the configuration;
 *  2. start PostgreSQL and Redis of our own unless DATABASE_URL / REDIS_URL are set;
 *  3. apply database migrations;
 *  4. start the web, collab and runner services and restart one that crashes;
 *  5. on SIGINT/SIGTERM stop everything in reverse order: services, Redis, PostgreSQL.
 */
const config = loadConfigOrExit();
const log = createLogger("supervisor", config.LOG_LEVEL);
const root = path.resolve(import.meta.dirname, "..");

/** Things to stop on the way out, last started first. */
const stopStack: Array<{ name: string; stop: () => Promise<void> }> = [];
let shuttingDown = false;

async function shutdown(reason: string, code: number): Promise<never> {
  if (shuttingDown) return new Promise<never>(() => undefined);
  shuttingDown = true;
  log.info({ reason }, "stopping SAM Compiler");
  for (const item of stopStack.reverse()) {
    try {
      await item.stop();
      log.info(`${item.name} stopped`);
    } catch (err) {
      log.error({ err }, `${item.name} did not stop cleanly`);
    }
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown("SIGINT", 0));
process.on("SIGTERM", () => void shutdown("SIGTERM", 0));

try {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const secret = resolveSecret(config.SAM_SECRET, config.dataDir);

  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres(config.dataDir, (m) => log.info(m));
    stopStack.push({ name: "PostgreSQL", stop: pg.stop });
    databaseUrl = pg.url;
    log.info("embedded PostgreSQL ready (unix socket only)");
  }
  let redisUrl = config.REDIS_URL;
  if (!redisUrl) {
    const redis = await startEmbeddedRedis(config.dataDir, (m) => log.info(m));
    stopStack.push({ name: "Redis", stop: redis.stop });
    redisUrl = redis.url;
    log.info("embedded Redis ready (unix socket only, password required)");
  }
  // A signal during the steps above: shutdown() is already stopping things; start nothing more.
  if (shuttingDown) await new Promise(() => undefined);

  const migrations = await migrate(databaseUrl);
  log.info({ applied: migrations.applied }, `database schema up to date (${migrations.applied.length} migration(s) applied now)`);

  const local = config.HOST === "0.0.0.0" || config.HOST === "::" ? "127.0.0.1" : config.HOST;
  const endpoint = (port: number, portVariable: string, path: string) => ({ port, portVariable, healthUrl: `http://${local}:${port}${path}` });
  const services = new ServiceSet(
    root,
    log,
    { ...process.env, NODE_ENV: "production", DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, SAM_DATA_DIR: config.dataDir },
    secret,
    {
      // The web process's own readiness: the product-wide /api/v1/health also wants collab and runner.
      web: endpoint(config.PORT, "PORT", "/api/v1/health?scope=web"),
      collab: endpoint(config.COLLAB_PORT, "COLLAB_PORT", "/health"),
      runner: endpoint(config.RUNNER_PORT, "RUNNER_PORT", "/health"),
    },
    config.HOST,
  );
  stopStack.push({ name: "services", stop: () => services.stopAll() });
  // Once all are up, a crashing service is restarted; one that keeps crashing is left down while the
  // others serve (GET /api/v1/health then says degraded and names it), and the log says why.
  services.onGiveUp = (name) => log.fatal(`${name} keeps crashing and is no longer restarted; see its log lines above`);
  await services.checkPorts();
  services.startAll();
  // Any service that fails before it is up stops start-up with its reason; "ready" needs all three.
  let runnerUp = false;
  const runnerReady = services.waitUntilHealthy("runner").then(() => void (runnerUp = true));
  runnerReady.catch(() => undefined);
  await Promise.race([
    Promise.all([services.waitUntilHealthy("web", 120_000), services.waitUntilHealthy("collab", 120_000)]),
    runnerReady.then(() => new Promise(() => undefined)),
  ]);
  if (!runnerUp) {
    log.info(
      `the web app serves at ${config.publicUrl}; runs become possible once the runner is ready ` +
        "(its first start builds the sandbox image, which takes a few minutes)",
    );
  }
  await runnerReady;
  log.info(
    { database: describeUrl(databaseUrl), redis: describeUrl(redisUrl) },
    `SAM Compiler is ready at ${config.publicUrl} (web, collab and runner are up)`,
  );
} catch (err) {
  log.fatal({ err: (err as Error).message }, `start-up failed: ${(err as Error).message}`);
  await shutdown("start-up failed", 1);
}
