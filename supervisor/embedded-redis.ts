import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { startProcess, stopProcess, tail, waitFor } from "./child";

/**
 * A Redis of our own for when REDIS_URL is not set: it listens only on a unix
 * socket (mode 0700) in <dataDir>/run and also requires a password; AOF on with
 * fsync every second (queued jobs survive a crash); noeviction, because evicting
 * a queue's keys would silently lose jobs.
 */
export interface EmbeddedRedis {
  url: string;
  stop(): Promise<void>;
}

/** The installed redis-server's major version (0 when it does not say). */
function redisMajorVersion(): number {
  const out = spawnSync("redis-server", ["--version"], { encoding: "utf8" }).stdout ?? "";
  return Number(out.match(/v=(\d+)\./)?.[1] ?? 0);
}

export async function startEmbeddedRedis(dataDir: string, log: (msg: string) => void): Promise<EmbeddedRedis> {
  const redisDir = path.join(dataDir, "redis");
  const runDir = path.join(dataDir, "run");
  const logFile = path.join(dataDir, "logs", "redis.log");
  for (const dir of [redisDir, runDir, path.dirname(logFile)]) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const socket = path.join(runDir, "redis.sock");
  const passwordFile = path.join(dataDir, "redis.password");
  if (!fs.existsSync(passwordFile)) fs.writeFileSync(passwordFile, randomBytes(24).toString("hex"), { mode: 0o600 });
  const password = fs.readFileSync(passwordFile, "utf8").trim();

  // The password goes in a 0600 file, not on the command line where `ps` shows it.
  const confFile = path.join(redisDir, "redis.conf");
  fs.writeFileSync(
    confFile,
    [
      "port 0",
      `unixsocket ${socket}`,
      "unixsocketperm 700",
      `requirepass ${password}`,
      `dir ${redisDir}`,
      "appendonly yes",
      "appendfsync everysec",
      "maxmemory-policy noeviction",
      "daemonize no",
      "protected-mode yes",
      // A Redis whose final save fails (its dir removed, a full disk) otherwise refuses to exit on
      // SIGTERM; the AOF already holds every write, so stopping wins (Redis 7+; older ones are killed after a grace).
      ...(redisMajorVersion() >= 7 ? ["shutdown-on-sigterm force", "shutdown-on-sigint force"] : []),
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  log(`starting Redis on ${socket}`);
  const server = startProcess("redis", "redis-server", [confFile], { logFile, cwd: redisDir });
  let exitedEarly: string | undefined;
  void server.exited.then((code) => (exitedEarly = `exited with ${code}\n${tail(logFile)}`));

  const url = `${socket}?password=${password}`;
  await waitFor(
    "Redis",
    async () => {
      const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on("error", () => undefined);
      try {
        await probe.connect();
        // Redis answers LOADING while it replays the AOF; only PONG means ready.
        return (await probe.ping()) === "PONG";
      } finally {
        probe.disconnect();
      }
    },
    30000,
    () => exitedEarly,
  );
  return {
    url,
    // SIGTERM makes Redis flush the AOF and exit cleanly.
    stop: async () => {
      await stopProcess(server, "SIGTERM", 15000);
    },
  };
}
