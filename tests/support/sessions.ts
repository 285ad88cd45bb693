import { expect } from "vitest";
import { uniqueIp, webUrl } from "./api";

/** Signs in as the browser does (next-auth's credentials callback with its CSRF token): the cookies to send, and every cookie the sign-in set. */
export async function signInAsBrowser(username: string, password: string): Promise<{ cookie: string; setCookies: string[] }> {
  const ip = uniqueIp();
  const csrf = await fetch(`${webUrl()}/api/auth/csrf`, { headers: { "x-forwarded-for": ip } });
  const csrfCookie = csrf.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const { csrfToken } = await csrf.json();
  const res = await fetch(`${webUrl()}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie, "x-forwarded-for": ip },
    body: new URLSearchParams({ csrfToken, username, password, json: "true" }),
  });
  const setCookies = res.headers.getSetCookie();
  const session = setCookies.find((c) => c.startsWith("next-auth.session-token="));
  if (!session) throw new Error(`no session cookie: ${res.status}`);
  return { cookie: `${csrfCookie}; ${session.split(";")[0]}`, setCookies };
}

/** Signs in as the browser does; the cookies to send. */
export async function signIn(username: string, password: string): Promise<string> {
  return (await signInAsBrowser(username, password)).cookie;
}

/** Signs out as the browser does (next-auth's signout with its CSRF token). */
export async function signOut(cookie: string): Promise<void> {
  const csrf = await fetch(`${webUrl()}/api/auth/csrf`, { headers: { cookie } });
  const { csrfToken } = await csrf.json();
  const res = await fetch(`${webUrl()}/api/auth/signout`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams({ csrfToken, json: "true" }),
  });
  expect(res.status).toBeLessThan(400);
  // The browser is told to forget its cookie.
  expect(res.headers.getSetCookie().some((c) => /^next-auth\.session-token=;/.test(c))).toBe(true);
}
