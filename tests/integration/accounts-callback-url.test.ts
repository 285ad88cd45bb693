import { describe, expect, it } from "vitest";
import { registerUser, uniqueIp, webUrl } from "../support/api";
import { HOSTILE_CALLBACK_URLS } from "../support/hostile-callbacks";

/**
 * next-auth's own redirects (the credentials callback's answer, and the
 * callback address it keeps in a cookie for OAuth sign-ins) go through our
 * redirect callback: none may point off the app.
 */
async function csrf(ip: string) {
  const res = await fetch(`${webUrl()}/api/auth/csrf`, { headers: { "x-forwarded-for": ip } });
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  return { token: (await res.json()).csrfToken as string, cookie };
}

describe("next-auth's redirects", () => {
  it.each(HOSTILE_CALLBACK_URLS)("a credentials sign-in with callbackUrl %j answers with an address on our origin", async (hostile) => {
    const user = await registerUser();
    const ip = uniqueIp();
    const { token, cookie } = await csrf(ip);
    const res = await fetch(`${webUrl()}/api/auth/callback/credentials`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie, "x-forwarded-for": ip },
      body: new URLSearchParams({ csrfToken: token, username: user.username, password: user.password, callbackUrl: hostile, json: "true" }),
      redirect: "manual",
    });
    expect(res.status).toBe(200);
    const { url } = await res.json();
    expect(url).toBe(`${webUrl()}/`);
    // It did sign in: the session cookie is set.
    expect(res.headers.getSetCookie().some((c) => c.startsWith("next-auth.session-token="))).toBe(true);
  });

  it.each(HOSTILE_CALLBACK_URLS)("the callback address next-auth keeps for %j is on our origin", async (hostile) => {
    const res = await fetch(`${webUrl()}/api/auth/signin?callbackUrl=${encodeURIComponent(hostile)}`, {
      headers: { "x-forwarded-for": uniqueIp() },
      redirect: "manual",
    });
    const kept = res.headers
      .getSetCookie()
      .find((c) => c.startsWith("next-auth.callback-url="))
      ?.split(";")[0]
      ?.slice("next-auth.callback-url=".length);
    // next-auth refuses some values outright (no cookie, an error page); whatever it keeps is our origin.
    if (kept !== undefined) expect(decodeURIComponent(kept)).toBe(`${webUrl()}/`);
    const location = res.headers.get("location");
    if (location) expect(new URL(location, webUrl()).origin).toBe(new URL(webUrl()).origin);
    const signInPage = location ? new URL(location, webUrl()).searchParams.get("callbackUrl") : null;
    if (signInPage) expect(new URL(signInPage, webUrl()).origin).toBe(new URL(webUrl()).origin);
  });
});
