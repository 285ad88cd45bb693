import { describe, expect, inject, it } from "vitest";
import { api, registerUser, uniqueIp } from "../support/api";
import { signInAsBrowser } from "../support/sessions";

/**
 * Attack (attack-web F9): lock someone out by failing to sign in as them.
 * Usernames are public (member lists, presence), and the limit used to count
 * failures per username alone: ten wrong passwords from anyone locked the
 * name for the window, the right password included. Now a guesser is refused
 * per (username, address); past the account's ceiling across all addresses,
 * addresses the account signed in from before still get in, and so do
 * devices that did (their device cookie), on any network (third round, G5:
 * 50 addresses could keep the owner out of every network new to the account).
 */
const limits = () => inject("loginLimits");
const login = (username: string, password: string, ip = uniqueIp(), cookie?: string) =>
  api("POST", "/api/v1/auth/login", { body: { username, password }, ip, headers: cookie ? { cookie } : {} });
const deviceCookie = (res: { headers: Headers }) =>
  res.headers
    .getSetCookie()
    .find((c) => c.startsWith("sam_device="))
    ?.split(";")[0];

/** Fails as `username` from enough addresses to pass the account's ceiling. */
async function distributedGuess(username: string): Promise<void> {
  const addresses = Math.ceil(limits().perAccount / limits().perUser) + 1;
  for (let a = 0; a < addresses; a++) {
    const ip = uniqueIp();
    for (let i = 0; i < limits().perUser; i++) await login(username, `guess ${a}.${i}`, ip);
  }
}

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
    await distributedGuess(victim.username);
    const fresh = await login(victim.username, "guess from a new address");
    expect(fresh.status).toBe(429);
    expect(fresh.json.error.message).toContain("only networks and devices it signed in from before");
    // Not even the right password from an address never seen for this account: the guesser could be there.
    expect((await login(victim.username, victim.password)).status).toBe(429);
    // The owner at home is not locked out.
    expect((await login(victim.username, victim.password, home)).status).toBe(200);
  });

  it("past the account's ceiling, a device that signed in before gets in from a new network; a forged or another account's cookie does not", async () => {
    const [victim, other] = await Promise.all([registerUser(), registerUser()]);
    const first = await login(victim.username, victim.password);
    expect(first.status).toBe(200);
    const device = deviceCookie(first);
    expect(device).toBeDefined();
    const otherDevice = deviceCookie(await login(other.username, other.password));
    await distributedGuess(victim.username);
    // A new network with the device's cookie: in (before: 429 until the window ended).
    const travelling = await login(victim.username, victim.password, uniqueIp(), device);
    expect(travelling.status).toBe(200);
    // The cookie proves the device, not the password: a wrong one is still refused and counted.
    expect((await login(victim.username, "a guess with the cookie", uniqueIp(), device)).status).toBe(401);
    // Another account's device cookie, or a tampered one, is no help.
    expect((await login(victim.username, victim.password, uniqueIp(), otherDevice)).status).toBe(429);
    expect((await login(victim.username, victim.password, uniqueIp(), `${device}x`)).status).toBe(429);
  });

  it("the sign-in page's browser gets the device cookie too, only for the sign-in routes and never for scripts", async () => {
    const user = await registerUser();
    const { setCookies } = await signInAsBrowser(user.username, user.password);
    const set = setCookies.find((c) => c.startsWith("sam_device="));
    expect(set).toBeDefined();
    expect(set).toMatch(/; Path=\/api(;|$)/i);
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Lax/i);
  });

  it("a device cookie copied to many addresses shares one failure allowance past the ceiling, and signing out everywhere revokes it (fifth round, K5)", async () => {
    const victim = await registerUser();
    const home = uniqueIp();
    const device = deviceCookie(await login(victim.username, victim.password, home));
    await distributedGuess(victim.username);
    // Guesses with the device's cookie from new addresses: past the ceiling they share the device's allowance (the per-user limit).
    const answers: number[] = [];
    for (let a = 0; a < 3; a++) {
      const ip = uniqueIp();
      for (let i = 0; i < limits().perUser; i++) answers.push((await login(victim.username, `device guess ${a}.${i}`, ip, device)).status);
    }
    expect(answers.filter((s) => s === 401).length).toBeLessThanOrEqual(limits().perUser);
    expect(answers.at(-1)).toBe(429);
    // The owner at home still gets in with that cookie (sixth round, L3: the spent cookie refused them there).
    expect((await login(victim.username, victim.password, home, device)).status).toBe(200);

    // Another account: its owner signs out everywhere; the cookie their device had no longer helps.
    const other = await registerUser();
    const otherDevice = deviceCookie(await login(other.username, other.password));
    expect((await api("DELETE", "/api/v1/me/sessions", { token: (await login(other.username, other.password)).json.token })).status).toBe(204);
    await distributedGuess(other.username);
    expect((await login(other.username, other.password, uniqueIp(), otherDevice)).status).toBe(429);
  });
});
