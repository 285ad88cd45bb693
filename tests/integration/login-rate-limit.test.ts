import { describe, expect, inject, it } from "vitest";
import { api, registerUser, uniqueIp, uniqueName, PASSWORD } from "../support/api";

const limits = () => inject("loginLimits");
const login = (username: string, password: string, ip = uniqueIp()) => api("POST", "/api/v1/auth/login", { body: { username, password }, ip });

describe("login rate limiting", () => {
  it("refuses one address that keeps failing for a username, with Retry-After; the owner elsewhere still signs in", async () => {
    const user = await registerUser();
    const guesser = uniqueIp();
    for (let i = 0; i < limits().perUser; i++) {
      expect((await login(user.username, "wrong password " + i, guesser)).status).toBe(401);
    }
    // That address is refused now, even with the right password.
    const blocked = await login(user.username, user.password, guesser);
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.code).toBe("rate_limited");
    const retryAfter = Number(blocked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(blocked.json.error.message).toContain(String(retryAfter));
    expect(blocked.json.error.message).toContain("from your address");
    // Anyone else is not.
    expect((await login(user.username, user.password)).status).toBe(200);
  });

  it("does not count an address's failures once it signs in successfully", async () => {
    const user = await registerUser();
    const ip = uniqueIp();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < limits().perUser - 1; i++) expect((await login(user.username, "wrong password!", ip)).status).toBe(401);
      expect((await login(user.username, user.password, ip)).status).toBe(200);
    }
  });

  it("successful sign-ins never add up to the account's ceiling (from ever new addresses too)", async () => {
    const user = await registerUser();
    for (let i = 0; i < limits().perAccount + 3; i++) expect((await login(user.username, user.password)).status).toBe(200);
  });

  it("limits one address trying many usernames", async () => {
    const ip = uniqueIp();
    for (let i = 0; i < limits().perIp; i++) {
      expect((await login(uniqueName(), PASSWORD, ip)).status).toBe(401);
    }
    const blocked = await login(uniqueName(), PASSWORD, ip);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    // Another address is unaffected.
    expect((await login(uniqueName(), PASSWORD)).status).toBe(401);
  });

  it("refusing one user's guesser does not touch other users", async () => {
    const victim = await registerUser();
    const other = await registerUser();
    const ip = uniqueIp();
    for (let i = 0; i < limits().perUser; i++) await login(victim.username, "wrong password!", ip);
    expect((await login(victim.username, victim.password, ip)).status).toBe(429);
    expect((await login(other.username, other.password, ip)).status).toBe(200);
  });

  it("parallel wrong guesses from one address cannot race past its limit: at most the limit reach the password check", async () => {
    const user = await registerUser();
    const ip = uniqueIp();
    const guesses = await Promise.all(Array.from({ length: 30 }, (_, i) => login(user.username, `wrong password ${i}`, ip)));
    const statuses = guesses.map((g) => g.status);
    const checked = statuses.filter((s) => s === 401).length;
    expect(checked + statuses.filter((s) => s === 429).length).toBe(30);
    expect(checked).toBeLessThanOrEqual(limits().perUser);
    expect((await login(user.username, user.password, ip)).status).toBe(429);
  });

  it("parallel wrong guesses from many addresses cannot race past the account's ceiling", async () => {
    const user = await registerUser();
    // Each guess from its own address, as a botnet would send them: only the per-account ceiling applies.
    const guesses = await Promise.all(Array.from({ length: 40 }, (_, i) => login(user.username, `wrong password ${i}`)));
    const statuses = guesses.map((g) => g.status);
    const checked = statuses.filter((s) => s === 401).length;
    expect(checked + statuses.filter((s) => s === 429).length).toBe(40);
    expect(checked).toBeLessThanOrEqual(limits().perAccount);
    // A guesser at a fresh address is still refused.
    expect((await login(user.username, "one more guess")).status).toBe(429);
  });

  it("a forged left-most X-Forwarded-For entry does not change the address that is limited", async () => {
    // The test web server trusts one proxy hop: the right-most entry is what that proxy saw.
    const real = uniqueIp();
    const forgedFrom = () => ({ "x-forwarded-for": `${uniqueIp()}, ${real}` });
    for (let i = 0; i < limits().perIp; i++) {
      const res = await api("POST", "/api/v1/auth/login", { body: { username: uniqueName(), password: PASSWORD }, headers: forgedFrom() });
      expect(res.status).toBe(401);
    }
    const blocked = await api("POST", "/api/v1/auth/login", { body: { username: uniqueName(), password: PASSWORD }, headers: forgedFrom() });
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.message).toContain("from your address");
  });
});
