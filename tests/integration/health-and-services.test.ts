import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { api } from "../support/api";
import fs from "node:fs";
import path from "node:path";
import { startBacking, startService, tempDir, type Backing } from "../support/stack";

describe("GET /api/v1/health", () => {
  it("reports the database and Redis as ok, without a token", async () => {
    const res = await api("GET", "/api/v1/health");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ status: "ok", database: "ok", redis: "ok" });
    expect(res.json.services.web).toBeGreaterThanOrEqual(1);
    expect(res.headers.get("cache-control")).toContain("no-store");
  });
});

describe("collab and runner services", () => {
  let backing: Backing;
  beforeAll(async () => {
    backing = await startBacking();
  });
  afterAll(async () => {
    await backing?.stop();
  });

  for (const entry of ["collab/main.ts", "runner/main.ts"] as const) {
    const name = entry.split("/")[0];
    it(`${name} starts, connects to PostgreSQL and Redis, answers /health and stops cleanly`, async () => {
      const service = await startService(entry, backing);
      const health = await fetch(`${service.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "ok", service: name, database: "ok", redis: "ok" });
      const other = await fetch(`${service.url}/secrets`);
      expect(other.status).toBe(404);
      expect(await service.stop()).toBe(0);
    });
  }

  it("the web health route counts collab and runner processes that share its Redis", async () => {
    const web = await startService("web/server.ts", backing);
    const collab = await startService("collab/main.ts", backing);
    const runner = await startService("runner/main.ts", backing);
    try {
      const health = await (await fetch(`${web.url}/api/v1/health`)).json();
      expect(health.services).toEqual({ web: 1, collab: 1, runner: 1 });
    } finally {
      await Promise.all([runner.stop(), collab.stop()]);
    }
    // A process that stops takes itself off the list at once, and the product is degraded without it.
    const after = await fetch(`${web.url}/api/v1/health`);
    expect(after.status).toBe(503);
    expect(await after.json()).toMatchObject({
      status: "degraded",
      database: "ok",
      redis: "ok",
      services: { web: 1, collab: 0, runner: 0 },
      missing: ["collab", "runner"],
    });
    // This web process itself still serves.
    expect((await fetch(`${web.url}/api/v1/health?scope=web`)).status).toBe(200);
    expect((await fetch(`${web.url}/api/v1/health?scope=everything`)).status).toBe(400);
    expect(await web.stop()).toBe(0);
  });

  it("is degraded while any one service has no live process", async () => {
    const web = await startService("web/server.ts", backing);
    const collab = await startService("collab/main.ts", backing);
    try {
      const res = await fetch(`${web.url}/api/v1/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: "degraded", services: { web: 1, collab: 1, runner: 0 }, missing: ["runner"] });
    } finally {
      await Promise.all([collab.stop(), web.stop()]);
    }
  });

  it("a runner started alone neither needs nor makes the secret", async () => {
    const dataDir = tempDir("sam-runner-");
    const runner = await startService("runner/main.ts", backing, { SAM_DATA_DIR: dataDir, SAM_SANDBOX_DIR: inject("sandboxDir") });
    let stopped: number | string;
    let secretAfterwards: boolean;
    try {
      expect(fs.existsSync(path.join(dataDir, "secret"))).toBe(false);
      expect(fs.readFileSync(`/proc/${runner.proc.child.pid}/environ`, "utf8")).not.toContain("SAM_SECRET=");
    } finally {
      // Stopped before its data dir goes: it keeps warm containers' state there.
      stopped = await runner.stop();
      secretAfterwards = fs.existsSync(path.join(dataDir, "secret"));
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    expect(stopped).toBe(0);
    expect(secretAfterwards).toBe(false);
  });

  it("reports 503 with the failing part named when Redis is unreachable", async () => {
    const broken = await startBrokenRedisWeb(backing);
    try {
      const res = await fetch(`${broken.url}/api/v1/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ status: "degraded", database: "ok", redis: "error" });
    } finally {
      await broken.stop();
    }
  });
});

/** A web process whose Redis was stopped under it after it started. */
async function startBrokenRedisWeb(backing: Backing) {
  const { startEmbeddedRedis } = await import("../../supervisor/embedded-redis");
  const { tempDir } = await import("../support/stack");
  const redis = await startEmbeddedRedis(tempDir(), () => undefined);
  const web = await startService("web/server.ts", { ...backing, redisUrl: redis.url });
  await redis.stop();
  return web;
}

it("the shared test server is the one under test", () => {
  expect(inject("webUrl")).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
});
