import { describe, expect, inject, it } from "vitest";
import { api, registerUser, uniqueIp } from "../support/api";

/**
 * Attack (attack-web F9): lock someone out by failing to sign in as them.
 * Usernames are public (member lists, presence), and the limit used to count
 * failures per username alone: ten wrong passwords from anyone locked the
 * name for the window, the right password included. Now a guesser is refused
 * per (username, address); past the account's ceiling across all addresses,
 * addresses the account signed in from before still get in.
 */
const limits = () => inject("loginLimits");
const login = (username: string, password: string, ip = uniqueIp()) => api("POST", "/api/v1/auth/login", { body: { username, password }, ip });

describe("username lockout", () => {
  it("failures from other addresses do not deny the owner's sign-in", async () => {
    const victim = await registerUser();
    const attacker = uniqueIp();
    // More than the old lock (perUser failures), from one address and then from several.
    for (let i = 0; i <= limits().perUser; i++) await login(victim.username, `guess ${i}`, attacker);
    for (let i = 0; i < limits().perUser; i++) await login(victim.username, `spread guess ${i}`);
    expect((await login(victim.username, "yet another guess", attacker)).status).toBe(429);
    // The owner, from a network of theirs the attacker is not on.
    const owner = await login(victim.username, victim.password);
    expect(owner.status).toBe(200);
    expect(owner.json.user.username).toBe(victim.username);
  });

  it("past the account's ceiling, the owner's known address still signs in while new addresses are paused", async () => {
    const victim = await registerUser();
    const home = uniqueIp();
    expect((await login(victim.username, victim.password, home)).status).toBe(200);
    // A distributed guess: perUser failures from each of enough addresses to pass the account's ceiling.
    const addresses = Math.ceil(limits().perAccount / limits().perUser) + 1;
    for (let a = 0; a < addresses; a++) {
      const ip = uniqueIp();
      for (let i = 0; i < limits().perUser; i++) await login(victim.username, `guess ${a}.${i}`, ip);
    }
    const fresh = await login(victim.username, "guess from a new address");
    expect(fresh.status).toBe(429);
    expect(fresh.json.error.message).toContain("only networks it signed in from before");
    // Not even the right password from an address never seen for this account: the guesser could be there.
    expect((await login(victim.username, victim.password)).status).toBe(429);
    // The owner at home is not locked out.
    expect((await login(victim.username, victim.password, home)).status).toBe(200);
  });
});
