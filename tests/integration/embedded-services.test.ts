import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBacking, type Backing } from "../support/stack";

describe("the embedded PostgreSQL and Redis", () => {
  let backing: Backing;
  beforeAll(async () => {
    backing = await startBacking();
  });
  afterAll(async () => {
    await backing?.stop();
  });

  it("Redis listens only on a private unix socket and requires the password", async () => {
    const socket = path.join(backing.dataDir, "run", "redis.sock");
    expect(fs.statSync(socket).isSocket()).toBe(true);
    expect(fs.statSync(socket).mode & 0o777).toBe(0o700);
    // Speak the protocol by hand: a client without the password is refused.
    const reply = await new Promise<string>((resolve, reject) => {
      const conn = net.connect(socket, () => conn.write("GET anything\r\n"));
      conn.once("data", (data) => (conn.destroy(), resolve(data.toString())));
      conn.once("error", reject);
    });
    expect(reply).toMatch(/^-NOAUTH/);
  });

  it("Redis keeps an fsync-every-second AOF and never evicts keys", async () => {
    const redis = new Redis(backing.redisUrl);
    try {
      const config = Object.fromEntries(
        (await Promise.all(["appendonly", "appendfsync", "maxmemory-policy", "port"].map((k) => redis.config("GET", k)))).map(
          (pair) => pair as [string, string],
        ),
      );
      expect(config).toEqual({ appendonly: "yes", appendfsync: "everysec", "maxmemory-policy": "noeviction", port: "0" });
    } finally {
      redis.disconnect();
    }
  });

  it("PostgreSQL listens on no TCP port and refuses a wrong password", async () => {
    const client = new pg.Client({ connectionString: backing.databaseUrl });
    await client.connect();
    const listen = await client.query("SHOW listen_addresses");
    await client.end();
    expect(listen.rows[0].listen_addresses).toBe("");
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(5432, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(false)));
      socket.once("error", () => resolve(true));
    });
    // A system PostgreSQL may own 5432; ours must not be reachable with our password there.
    if (!refused) {
      const viaTcp = new pg.Client({ connectionString: backing.databaseUrl.replace(/\?host=[^&]+/, "").replace("@localhost/", "@127.0.0.1:5432/") });
      await expect(viaTcp.connect()).rejects.toThrow();
    }
    const wrong = new pg.Client({ connectionString: backing.databaseUrl.replace(/:([^:@/]+)@/, ":wrong-password@") });
    await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
  });

  it("keeps its passwords and data in files only their owner can read", () => {
    for (const file of ["postgres.password", "redis.password", "redis/redis.conf"]) {
      expect(fs.statSync(path.join(backing.dataDir, file)).mode & 0o077).toBe(0);
    }
    expect(fs.statSync(path.join(backing.dataDir, "postgres")).mode & 0o077).toBe(0);
  });
});

describe("the embedded PostgreSQL under a private folder", () => {
  it("starts and serves queries when SAM_DATA_DIR lies under a folder closed to other users (e.g. /root)", async () => {
    const { tempDir } = await import("../support/stack");
    const { startEmbeddedPostgres } = await import("../../supervisor/embedded-postgres");
    const closed = tempDir("sam-closed-");
    fs.chmodSync(closed, 0o700);
    const dataDir = path.join(closed, "data");
    const server = await startEmbeddedPostgres(dataDir, () => undefined);
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      expect((await client.query("SELECT 41 + 1 AS answer")).rows[0].answer).toBe(42);
      await client.end();
    } finally {
      await server.stop();
    }
    // A second start finds the cluster it made and runs it the same way.
    const again = await startEmbeddedPostgres(dataDir, () => undefined);
    await again.stop();
    fs.rmSync(closed, { recursive: true, force: true });
  });
});
