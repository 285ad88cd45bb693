import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../supervisor/embedded-postgres";
import { startEmbeddedRedis, type EmbeddedRedis } from "../../supervisor/embedded-redis";
import { startProcess, stopProcess, waitFor, type ManagedProcess } from "../../supervisor/child";
import { migrate } from "../../lib/db/migrate";
import { freePort } from "./ports";

export const ROOT = path.resolve(import.meta.dirname, "../..");

/** A throwaway data dir; tmpdir keeps unix socket paths short. */
export function tempDir(prefix = "sam-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

export interface Backing {
  dataDir: string;
  databaseUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

/** Real PostgreSQL and Redis, the same code `npm start` uses, in a fresh temp dir, migrated. */
export async function startBacking(): Promise<Backing> {
  const dataDir = tempDir();
  let pg: EmbeddedPostgres | undefined;
  let redis: EmbeddedRedis | undefined;
  try {
    pg = await startEmbeddedPostgres(dataDir, () => undefined);
    redis = await startEmbeddedRedis(dataDir, () => undefined);
    await migrate(pg.url);
  } catch (err) {
    await redis?.stop();
    await pg?.stop();
    throw err;
  }
  return {
    dataDir,
    databaseUrl: pg.url,
    redisUrl: redis.url,
    stop: async () => {
      await redis?.stop();
      await pg?.stop();
      // SAM_TEST_KEEP_DATA=1 keeps the data dir (services' logs) for a look after a failure.
      if (!process.env.SAM_TEST_KEEP_DATA) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface RunningService {
  url: string;
  port: number;
  logFile: string;
  proc: ManagedProcess;
  stop(): Promise<number | string>;
}

/** Starts one service process (web, collab or runner) the way the supervisor does, and waits for its health check. */
export async function startService(
  entry: "web/server.ts" | "collab/main.ts" | "runner/main.ts",
  backing: Backing,
  extraEnv: Record<string, string> = {},
): Promise<RunningService> {
  const port = await freePort();
  const portVar = entry === "web/server.ts" ? "PORT" : entry === "collab/main.ts" ? "COLLAB_PORT" : "RUNNER_PORT";
  const logFile = path.join(backing.dataDir, `${path.dirname(entry)}-${port}.log`);
  const proc = startProcess(entry, process.execPath, ["--import", "tsx", entry], {
    cwd: ROOT,
    logFile,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      HOST: "127.0.0.1",
      [portVar]: String(port),
      SAM_DATA_DIR: backing.dataDir,
      DATABASE_URL: backing.databaseUrl,
      REDIS_URL: backing.redisUrl,
      LOG_LEVEL: "debug",
      ...extraEnv,
    },
  });
  let exited: string | undefined;
  void proc.exited.then((code) => (exited = `exited with ${code}: ${fs.readFileSync(logFile, "utf8").slice(-2000)}`));
  const url = `http://127.0.0.1:${port}`;
  // A web process alone is ready when it serves; the product-wide health also wants collab and runner.
  const healthPath = entry === "web/server.ts" ? "/api/v1/health?scope=web" : "/health";
  try {
    await waitFor(
      entry,
      async () => (await fetch(url + healthPath)).ok,
      120_000,
      () => exited,
    );
  } catch (err) {
    await stopProcess(proc, "SIGKILL");
    throw err;
  }
  return { url, port, logFile, proc, stop: () => stopProcess(proc, "SIGTERM", 15_000) };
}
