import { describe, expect, it } from "vitest";
import { api, registerUser, webUrl } from "../support/api";
import { signIn, signOut } from "../support/sessions";

/**
 * Attack (attack-web F14): keep using a session after its owner signed out.
 * Sessions were next-auth JWTs checked only by signature, valid for 30 days:
 * signing out made the browser forget the cookie, and a copy of it kept
 * working. Now every sign-in has a record on the server that signing out
 * deletes, and "sign out everywhere" ends all of a user's.
 */
const me = (cookie: string) => fetch(`${webUrl()}/api/v1/me`, { headers: { cookie } });

describe("a session after sign-out", () => {
  it("a copy of the cookie stops working once its owner signs out", async () => {
    const user = await registerUser();
    const cookie = await signIn(user.username, user.password);
    const copy = cookie;
    expect((await me(copy)).status).toBe(200);
    await signOut(cookie);
    expect((await me(copy)).status).toBe(401);
    // Pages too: the workspace sends the copy to the sign-in page.
    const page = await fetch(`${webUrl()}/`, { headers: { cookie: copy }, redirect: "manual" });
    expect(page.status).toBeGreaterThanOrEqual(300);
    expect(page.status).toBeLessThan(400);
    expect(page.headers.get("location")).toContain("/signin");
    // next-auth's own session endpoint agrees.
    expect(await (await fetch(`${webUrl()}/api/auth/session`, { headers: { cookie: copy } })).json()).not.toHaveProperty("user");
  });

  it("signing out one session leaves the others; signing out everywhere ends every session and API token", async () => {
    const user = await registerUser();
    const [laptop, phone, library] = [
      await signIn(user.username, user.password),
      await signIn(user.username, user.password),
      await signIn(user.username, user.password),
    ];
    await signOut(library);
    expect((await me(library)).status).toBe(401);
    expect((await me(laptop)).status).toBe(200);
    expect((await me(phone)).status).toBe(200);
    // From the laptop's page (same origin), everywhere.
    const everywhere = await fetch(`${webUrl()}/api/v1/me/sessions`, { method: "DELETE", headers: { cookie: laptop, origin: webUrl() } });
    expect(everywhere.status).toBe(204);
    expect((await me(laptop)).status).toBe(401);
    expect((await me(phone)).status).toBe(401);
    expect((await api("GET", "/api/v1/me", { token: user.token })).status).toBe(401);
    // And with a token: the same.
    const fresh = await api("POST", "/api/v1/auth/login", { body: { username: user.username, password: user.password } });
    const again = await signIn(user.username, user.password);
    expect((await api("DELETE", "/api/v1/me/sessions", { token: fresh.json.token })).status).toBe(204);
    expect((await me(again)).status).toBe(401);
    expect((await api("GET", "/api/v1/me", { token: fresh.json.token })).status).toBe(401);
  });

  it("from another site it is refused like any change made with a cookie", async () => {
    const user = await registerUser();
    const cookie = await signIn(user.username, user.password);
    const res = await fetch(`${webUrl()}/api/v1/me/sessions`, { method: "DELETE", headers: { cookie, origin: "https://evil.example" } });
    expect(res.status).toBe(403);
    expect((await me(cookie)).status).toBe(200);
  });
});
