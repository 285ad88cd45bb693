import fs from "node:fs";
import path from "node:path";
import { createDatabase, type Database } from "../../lib/db/client";
import { migrate } from "../../lib/db/migrate";
import { createRedis } from "../../lib/redis/connection";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../supervisor/embedded-postgres";
import { startEmbeddedRedis, type EmbeddedRedis } from "../../supervisor/embedded-redis";
import { api, PASSWORD, uniqueName } from "../support/api";
import { startService, tempDir, type Backing, type RunningService } from "../support/stack";

type Entry = Parameters<typeof startService>[0];

/**
 * A stack of its own for a fault drill: PostgreSQL, Redis and the services in
 * a fresh data dir, on their own ports, never the suite's shared ones (a
 * drill kills and restarts them). PostgreSQL and Redis restart on the same
 * data dir and socket, so the services' URLs stay valid across a restart.
 */
export class DrillStack {
  readonly services: RunningService[] = [];
  private db?: Database;

  private constructor(
    readonly dataDir: string,
    private pg: EmbeddedPostgres | undefined,
    private redis: EmbeddedRedis | undefined,
    readonly databaseUrl: string,
    readonly redisUrl: string,
  ) {}

  static async start(): Promise<DrillStack> {
    const dataDir = tempDir("sam-drill-");
    const pg = await startEmbeddedPostgres(dataDir, () => undefined);
    const redis = await startEmbeddedRedis(dataDir, () => undefined).catch(async (err) => {
      await pg.stop();
      throw err;
    });
    await migrate(pg.url);
    return new DrillStack(dataDir, pg, redis, pg.url, redis.url);
  }

  get backing(): Backing {
    return { dataDir: this.dataDir, databaseUrl: this.databaseUrl, redisUrl: this.redisUrl, stop: () => this.stop() };
  }

  /** The secret every service of this data dir shares (made by the first service started). */
  get secret(): string {
    return fs.readFileSync(path.join(this.dataDir, "secret"), "utf8").trim();
  }

  database(): Database {
    this.db ??= createDatabase(this.databaseUrl);
    return this.db;
  }

  async service(entry: Entry, env: Record<string, string> = {}): Promise<RunningService> {
    const service = await startService(entry, this.backing, env);
    this.services.push(service);
    return service;
  }

  /** The web process, as the suite's: trusting X-Forwarded-For, with no run rate limit to hit. */
  web(env: Record<string, string> = {}): Promise<RunningService> {
    return this.service("web/server.ts", { SAM_TRUST_PROXY: "true", SAM_RUNS_PER_MINUTE: "100000", ...env });
  }

  async stopPostgres(): Promise<void> {
    await this.pg?.stop();
    this.pg = undefined;
  }

  async startPostgres(): Promise<void> {
    this.pg = await startEmbeddedPostgres(this.dataDir, () => undefined);
  }

  async stopRedis(): Promise<void> {
    await this.redis?.stop();
    this.redis = undefined;
  }

  /** Redis ends as in a crash (SIGKILL): no AOF flush on the way out. */
  async crashRedis(): Promise<void> {
    // Redis renames its process ("redis-server *:0"), so it says its pid itself.
    const client = createRedis(this.redisUrl);
    const info = await client.info("server").finally(() => client.disconnect());
    process.kill(Number(/^process_id:(\d+)/m.exec(info)![1]), "SIGKILL");
    await this.redis?.stop();
    this.redis = undefined;
  }

  async startRedis(): Promise<void> {
    this.redis = await startEmbeddedRedis(this.dataDir, () => undefined);
  }

  async stop(): Promise<void> {
    for (const s of this.services.splice(0).reverse()) await s.stop().catch(() => undefined);
    await this.db?.$disconnect().catch(() => undefined);
    await this.redis?.stop();
    await this.pg?.stop();
    if (!process.env.SAM_TEST_KEEP_DATA) fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** A user registered through `web`'s API, with an API token. */
export async function registerOn(web: RunningService) {
  const username = uniqueName("drill");
  const res = await api("POST", "/api/v1/auth/register", { base: web.url, body: { username, password: PASSWORD } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
  return { username, token: res.json.token as string, id: res.json.user.id as string };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds; the milliseconds it took. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<number> {
  const from = Date.now();
  while (
    !(await Promise.resolve()
      .then(check)
      .catch(() => false))
  ) {
    if (Date.now() - from > timeoutMs) throw new Error(`${what}: not after ${timeoutMs / 1000} s`);
    await sleep(everyMs);
  }
  return Date.now() - from;
}

/** One line of the drill's figures, printed so the run's log keeps them (timings are reported, never asserted). */
export function report(drill: string, figures: Record<string, number | string>): void {
  console.info(
    `[drill] ${drill}: ${Object.entries(figures)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ")}`,
  );
}
