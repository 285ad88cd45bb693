import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { api, PASSWORD, registerUser, uniqueIp, uniqueName } from "../support/api";
import { startWeb } from "../support/shared-backing";
import type { RunningService } from "../support/stack";

/**
 * Attack (attack-web F11): one client with many addresses, or one address
 * with many requests.
 *  - An IPv6 client holds a whole /64 (2^64 addresses); per-address limits
 *    that counted single addresses gave it endless allowances. They count
 *    the /64 now.
 *  - One address's burst of sign-ins took every argon2 slot and the whole
 *    queue, so other people got 503 busy. One address now holds at most half
 *    the slots and a quarter of the queue.
 */
const group = () => randomBytes(2).readUInt16BE().toString(16);
/** A random /64 of the documentation range, as its first four groups. */
const aSlash64 = () => `2001:db8:${group()}:${group()}`;
/** A random address in the /64 `net`. */
const inNetwork = (net: string) => `${net}:${group()}:${group()}:${group()}:${group()}`;

describe("per-address limits count an IPv6 client's whole /64", () => {
  it("sign-in attempts from many addresses of one /64 share one allowance", async () => {
    const net = aSlash64();
    const perIp = inject("loginLimits").perIp;
    for (let i = 0; i < perIp; i++) {
      const res = await api("POST", "/api/v1/auth/login", { body: { username: uniqueName(), password: PASSWORD }, ip: inNetwork(net) });
      expect(res.status).toBe(401);
    }
    const refused = await api("POST", "/api/v1/auth/login", { body: { username: uniqueName(), password: PASSWORD }, ip: inNetwork(net) });
    expect(refused.status).toBe(429);
    expect(refused.json.error.message).toContain("from your address");
    // The next /64 is another client.
    expect((await api("POST", "/api/v1/auth/login", { body: { username: uniqueName(), password: PASSWORD }, ip: inNetwork(aSlash64()) })).status).toBe(401);
  });

  it("sign-ups from many addresses of one /64 share one allowance", async () => {
    const web = await startWeb({ SAM_REGISTER_MAX_PER_IP: "3" });
    try {
      const net = aSlash64();
      const register = (ip: string) =>
        fetch(`${web.url}/api/v1/auth/register`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": ip },
          body: JSON.stringify({ username: uniqueName(), password: PASSWORD }),
        });
      for (let i = 0; i < 3; i++) expect((await register(inNetwork(net))).status).toBe(201);
      const refused = await register(inNetwork(net));
      expect(refused.status).toBe(429);
      expect((await refused.json()).error.code).toBe("rate_limited");
    } finally {
      await web.stop();
    }
  });
});

describe("one address's burst of sign-ins", () => {
  let web: RunningService;
  beforeAll(async () => {
    // The per-address sign-in limit is high here, so the whole burst reaches the password slots.
    web = await startWeb({ SAM_LOGIN_MAX_ATTEMPTS_PER_IP: "1000", SAM_PASSWORD_HASH_CONCURRENCY: "2" });
  });
  afterAll(async () => {
    await web?.stop();
  });

  const login = (username: string, password: string, ip: string) =>
    fetch(`${web.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": ip },
      body: JSON.stringify({ username, password }),
    });

  it("does not make other people wait for, or be refused, a password slot", async () => {
    const victim = await registerUser();
    const attacker = uniqueIp();
    let firstBusy!: () => void;
    const sawBusy = new Promise<void>((resolve) => (firstBusy = resolve));
    const burst = Array.from({ length: 60 }, () =>
      login(uniqueName(), PASSWORD, attacker).then((res) => {
        if (res.status === 503) firstBusy();
        return res.status;
      }),
    );
    // Once the server refuses part of the burst, the rest of it is running or queued: now someone else signs in.
    await sawBusy;
    const other = await login(victim.username, victim.password, uniqueIp());
    expect(other.status).toBe(200);
    const statuses = await Promise.all(burst);
    expect(statuses.every((s) => s === 401 || s === 503)).toBe(true);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
  });
});
