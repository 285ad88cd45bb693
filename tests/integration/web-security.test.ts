import fs from "node:fs";
import { describe, expect, inject, it } from "vitest";
import { api, registerUser, uniqueName, webUrl } from "../support/api";

describe("security headers", () => {
  it("pages carry a strict CSP with a fresh nonce that the page's scripts use", async () => {
    const first = await fetch(`${webUrl()}/signin`);
    const second = await fetch(`${webUrl()}/signin`);
    const csp = first.headers.get("content-security-policy") ?? "";
    const nonce = csp.match(/'nonce-([^']+)'/)?.[1];
    expect(nonce).toBeTruthy();
    expect(second.headers.get("content-security-policy")).not.toContain(nonce);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-eval'/);
    const html = await first.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  });

  it.each(["/signin", "/api/v1/health"])("%s sends the fixed security headers", async (path) => {
    const res = await fetch(webUrl() + path);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(res.headers.get("x-powered-by")).toBeNull();
  });

  it("a signed-out visit to the workspace redirects to sign-in and back", async () => {
    const res = await fetch(`${webUrl()}/`, { redirect: "manual" });
    expect([302, 303, 307]).toContain(res.status);
    expect(res.headers.get("location")).toBe("/signin?callbackUrl=%2F");
  });

  it("the session cookie is httpOnly and SameSite=Lax", async () => {
    const user = await registerUser();
    const csrfRes = await fetch(`${webUrl()}/api/auth/csrf`);
    const csrfCookie = csrfRes.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const { csrfToken } = await csrfRes.json();
    const res = await fetch(`${webUrl()}/api/auth/callback/credentials`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
      body: new URLSearchParams({ csrfToken, username: user.username, password: user.password, json: "true" }),
    });
    const session = res.headers.getSetCookie().find((c) => c.startsWith("next-auth.session-token="));
    expect(session).toBeTruthy();
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Lax/i);
    expect(session).toMatch(/Path=\//);
  });

  it("no password, token or secret reaches the logs, even when requests fail", async () => {
    const password = `pw-${uniqueName()}-Secret!`;
    const username = uniqueName();
    const reg = await api("POST", "/api/v1/auth/register", { body: { username, password } });
    expect(reg.status).toBe(201);
    await api("POST", "/api/v1/auth/login", { body: { username, password } });
    await api("POST", "/api/v1/auth/login", { body: { username, password: `${password}-wrong` } });
    await api("POST", "/api/v1/auth/register", { body: { username, password } });
    await api("POST", "/api/v1/auth/register", { rawBody: `{"username":"${username}","password":"${password}"` });
    await api("GET", "/api/v1/me", { token: reg.json.token });
    await api("GET", "/api/v1/me", { token: `${reg.json.token}x` });
    // Let the log lines reach the file.
    await new Promise((r) => setTimeout(r, 500));
    const logs = fs.readFileSync(inject("webLogFile"), "utf8");
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(password);
    expect(logs).not.toContain(reg.json.token);
    const secret = fs.readFileSync(`${inject("dataDir")}/secret`, "utf8").trim();
    expect(logs).not.toContain(secret);
  });

  it("the generated secret file is private to its owner", () => {
    const mode = fs.statSync(`${inject("dataDir")}/secret`).mode & 0o777;
    expect(mode).toBe(0o600);
  });
});
