import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { api, registerUser, webUrl } from "../support/api";
import { eventually } from "../support/rooms";

/**
 * POST /api/v1/executions with an API token is served by the web server
 * directly, without Next.js (web/direct-routes.ts). What Next did for it
 * must still happen: a client that goes away ends its wait and frees its
 * place among its streams; errors are the route's JSON errors; and the
 * client-address header the limits trust is the server's, not the client's.
 */
let redis: Redis;
beforeAll(() => {
  redis = new Redis(inject("redisUrl"));
});
afterAll(() => redis.disconnect());

describe("the run API served without Next.js", () => {
  it("a waiting client that goes away frees its place among its streams at once, and the run still finishes", async () => {
    const { token, id: userId } = await registerUser();
    const controller = new AbortController();
    const waiting = fetch(`${webUrl()}/api/v1/executions?wait=true`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ language: "python", files: [{ name: "main.py", content: "import time\ntime.sleep(8)\nprint('done')" }] }),
      signal: controller.signal,
    }).catch((err: Error) => err);
    const leases = `sam:streams:${userId}`;
    await eventually("the waiting request to hold a place", async () => (await redis.zcard(leases)) === 1);
    controller.abort();
    expect(await waiting).toBeInstanceOf(Error);
    await eventually("its place to be free", async () => (await redis.zcard(leases)) === 0, 5000);
    const listed = await api("GET", "/api/v1/executions?limit=1", { token });
    const runId = listed.json.executions[0].id as string;
    await eventually("the run to finish", async () => (await api("GET", `/api/v1/executions/${runId}`, { token })).json.status === "succeeded", 30_000);
  });

  it("bad input gets the route's own JSON error, with its code", async () => {
    const { token } = await registerUser();
    const res = await fetch(`${webUrl()}/api/v1/executions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: '{"language": "python", "files": [',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toContain("application/json");
    // The headers Next.js adds to every answer (next.config.mjs).
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("malformed_json");
    const unknown = await api("POST", "/api/v1/executions", { token, body: { language: "cobol-74", files: [{ name: "a", content: "x" }] } });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.code).toBe("unknown_language");
  });

  it("a token that is not one is refused as under Next: 401 with the Bearer challenge", async () => {
    const res = await fetch(`${webUrl()}/api/v1/executions`, {
      method: "POST",
      headers: { authorization: "Bearer sam_not-a-real-token", "content-type": "application/json" },
      body: JSON.stringify({ language: "python", files: [{ name: "main.py", content: "print(1)" }] }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
  });
});
