import { describe, expect, inject, it } from "vitest";
import { api, registerUser, uniqueIp, uniqueName, PASSWORD } from "../support/api";

const limits = () => inject("loginLimits");
const login = (username: string, password: string, ip = uniqueIp()) =>
  api("POST", "/api/v1/auth/login", { body: { username, password }, ip });

describe("login rate limiting", () => {
  it("locks a username after repeated failures, even from many addresses, with Retry-After", async () => {
    const user = await registerUser();
    for (let i = 0; i < limits().perUser; i++) {
      expect((await login(user.username, "wrong password " + i)).status).toBe(401);
    }
    // Now even the right password is refused for a while, from a fresh address.
    const blocked = await login(user.username, user.password);
    expect(blocked.status).toBe(429);
    expect(blocked.json.error.code).toBe("rate_limited");
    const retryAfter = Number(blocked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(blocked.json.error.message).toContain(String(retryAfter));
  });

  it("does not count failures once the user signs in successfully", async () => {
    const user = await registerUser();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < limits().perUser - 1; i++) expect((await login(user.username, "wrong password!")).status).toBe(401);
      expect((await login(user.username, user.password)).status).toBe(200);
    }
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

  it("locks one user without locking others", async () => {
    const victim = await registerUser();
    const other = await registerUser();
    for (let i = 0; i < limits().perUser; i++) await login(victim.username, "wrong password!");
    expect((await login(victim.username, victim.password)).status).toBe(429);
    expect((await login(other.username, other.password)).status).toBe(200);
  });

  it("parallel wrong guesses cannot race past the limit: at most the limit reach the password check", async () => {
    const user = await registerUser();
    // Each guess from its own address, as a botnet would send them: only the per-username limit applies.
    const guesses = await Promise.all(Array.from({ length: 30 }, (_, i) => login(user.username, `wrong password ${i}`)));
    const statuses = guesses.map((g) => g.status);
    const checked = statuses.filter((s) => s === 401).length;
    const refused = statuses.filter((s) => s === 429).length;
    expect(checked + refused).toBe(30);
    expect(checked).toBeLessThanOrEqual(limits().perUser);
    expect(refused).toBeGreaterThanOrEqual(30 - limits().perUser);
    // Locked now: even the right password is refused until the window passes.
    const right = await login(user.username, user.password);
    expect(right.status).toBe(429);
    expect(right.json.error.code).toBe("rate_limited");
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
