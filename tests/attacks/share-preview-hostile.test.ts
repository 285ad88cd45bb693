import net from "node:net";
import { describe, expect, it } from "vitest";
import { PREVIEW_LIMIT } from "../../lib/rooms/share-link-preview-limit";
import { api, registerUser, uniqueIp, webUrl } from "../support/api";
import { HOSTILE_CALLBACK_URLS } from "../support/hostile-callbacks";

/**
 * POST /api/v1/share-links/preview answers strangers (no sign-in). What it
 * must not do: let one client dodge its per-address limit by writing its own
 * addresses into X-Forwarded-For (left of what the trusted proxy appends) or
 * by walking its IPv6 /64; read a body without end; tell a stranger anything
 * beyond the room's name, the role and the maker for a token they guessed.
 */
const preview = (body: unknown, ip: string, headers: Record<string, string> = {}) => api("POST", "/api/v1/share-links/preview", { body, ip, headers });

async function linkToken(): Promise<string> {
  const owner = await registerUser();
  const room = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name: "<img src=x onerror=alert(1)>", language: "python" } });
  const link = await api("POST", `/api/v1/rooms/${room.json.id}/share-links`, { token: owner.token, body: { role: "viewer" } });
  expect(link.status).toBe(201);
  return link.json.token as string;
}

/** Sends a request head and a chunked body that never ends; resolves with the response's first line. */
function endlessJson(ip: string): Promise<string> {
  const url = new URL(webUrl());
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(
        `POST /api/v1/share-links/preview HTTP/1.1\r\nHost: ${url.host}\r\nX-Forwarded-For: ${ip}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      );
      const chunk = Buffer.concat([Buffer.from(`${(16 * 1024).toString(16)}\r\n`), Buffer.alloc(16 * 1024, 0x20), Buffer.from("\r\n")]);
      // 1 MiB of spaces, never ended: a server that read to the end would never answer.
      for (let i = 0; i < 64; i++) socket.write(chunk);
    });
    let answer = "";
    socket.on("data", (data) => {
      answer += data.toString("latin1");
      if (answer.includes("\r\n")) {
        resolve(answer.slice(0, answer.indexOf("\r\n")));
        socket.destroy();
      }
    });
    socket.on("error", (err) => (answer ? undefined : reject(err)));
  });
}

describe("attack: dodging the preview's per-address limit", () => {
  it("counts the address the proxy saw, whatever the client wrote to its left", async () => {
    const token = await linkToken();
    const ip = uniqueIp();
    for (let i = 0; i < PREVIEW_LIMIT.perAddress; i++) expect((await preview({ token }, `${uniqueIp()}, ${ip}`)).status).toBe(200);
    const limited = await preview({ token }, `${uniqueIp()}, ${uniqueIp()}, ${ip}`);
    expect(limited.status).toBe(429);
    expect(limited.json.error.code).toBe("rate_limited");
  });

  it("ignores an address the client writes into the header the web server fills in for route handlers", async () => {
    const token = await linkToken();
    const ip = uniqueIp();
    for (let i = 0; i < PREVIEW_LIMIT.perAddress; i++) expect((await preview({ token }, ip, { "x-sam-client-ip": uniqueIp() })).status).toBe(200);
    expect((await preview({ token }, ip, { "X-Sam-Client-Ip": uniqueIp() })).status).toBe(429);
  });

  it("counts one IPv6 /64 as one client, and refuses guesses once spent (before reading them)", async () => {
    const token = await linkToken();
    const net64 = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:1`;
    for (let i = 0; i < PREVIEW_LIMIT.perAddress; i++) {
      const guess = `samr_${"A".repeat(42)}${i % 10}`;
      expect((await preview({ token: guess }, `${net64}::${(i + 1).toString(16)}`)).status).toBe(404);
    }
    // The real token, from yet another address of the same /64: refused without a look.
    const res = await preview({ token }, `${net64}:ffff:ffff:ffff:ffff`);
    expect(res.status).toBe(429);
  });
});

describe("attack: what a preview gives away", () => {
  it("answers a guessed, malformed or padded token exactly as an unknown one", async () => {
    const token = await linkToken();
    const answers = new Set<string>();
    for (const guess of [
      `samr_${"A".repeat(43)}`,
      `${token} `,
      ` ${token}`,
      token.toUpperCase(),
      `${token}#`,
      token.slice(0, -1),
      token.replace("samr_", ""),
    ]) {
      const res = await preview({ token: guess }, uniqueIp());
      expect(res.status).toBe(404);
      answers.add(JSON.stringify(res.json));
    }
    expect(answers.size).toBe(1);
  });

  it("gives the room's name as data for the page to escape, with nothing else", async () => {
    const token = await linkToken();
    const res = await preview({ token }, uniqueIp());
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(Object.keys(res.json).sort()).toEqual(["role", "room", "sharedBy"]);
    expect(res.json.room).toEqual({ name: "<img src=x onerror=alert(1)>" });
  });
});

describe("attack: preview bodies without end", () => {
  it("answers a body that never ends once it passes the JSON limit, signed out", { timeout: 60_000 }, async () => {
    expect(await endlessJson(uniqueIp())).toMatch(/^HTTP\/1\.1 413/);
    expect((await api("GET", "/api/v1/health?scope=web")).status).toBe(200);
  });
});

/** A signed-in browser's cookies, through next-auth's credentials sign-in. */
async function sessionCookie(ip: string): Promise<string> {
  const user = await registerUser();
  const csrf = await fetch(`${webUrl()}/api/auth/csrf`, { headers: { "x-forwarded-for": ip } });
  const cookies = csrf.headers.getSetCookie().map((c) => c.split(";")[0]);
  const res = await fetch(`${webUrl()}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies.join("; "), "x-forwarded-for": ip },
    body: new URLSearchParams({ csrfToken: (await csrf.json()).csrfToken, username: user.username, password: user.password, json: "true" }),
    redirect: "manual",
  });
  return [...cookies, ...res.headers.getSetCookie().map((c) => c.split(";")[0])].join("; ");
}

describe("attack: the invitation's sign-in and sign-up pages as redirectors", () => {
  it("sends a signed-in visitor of /signin or /signup only to a page of the app, whatever callbackUrl says", { timeout: 120_000 }, async () => {
    const ip = uniqueIp();
    const cookie = await sessionCookie(ip);
    const origin = new URL(webUrl()).origin;
    for (const page of ["/signin", "/signup"]) {
      for (const hostile of HOSTILE_CALLBACK_URLS) {
        const res = await fetch(`${webUrl()}${page}?callbackUrl=${encodeURIComponent(hostile)}`, {
          headers: { cookie, "x-forwarded-for": ip },
          redirect: "manual",
        });
        const location = res.headers.get("location");
        if (location) expect({ page, hostile, to: new URL(location, webUrl()).origin }).toEqual({ page, hostile, to: origin });
        await res.arrayBuffer();
      }
    }
    // The one the invitation uses still goes where it should.
    const join = await fetch(`${webUrl()}/signup?callbackUrl=%2Fjoin`, { headers: { cookie, "x-forwarded-for": ip }, redirect: "manual" });
    expect(new URL(join.headers.get("location") ?? "", webUrl()).pathname).toBe("/join");
  });

  it("never writes a hostile callbackUrl into a link or form of the signed-out pages", async () => {
    for (const page of ["/signin", "/signup"]) {
      for (const hostile of ["https://evil.example/x", "//evil.example", "/\\evil.example", "javascript:alert(1)"]) {
        const res = await fetch(`${webUrl()}${page}?callbackUrl=${encodeURIComponent(hostile)}`, { headers: { "x-forwarded-for": uniqueIp() } });
        const html = await res.text();
        // Every link and form target on the page (the page's own data may echo the address it was asked for: not a link).
        const targets = [...html.matchAll(/\b(?:href|action|formaction)="([^"]*)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));
        const leaked = targets.filter((t) => /evil\.example|javascript:alert/i.test(`${t} ${unescape(t)}`));
        expect({ page, hostile, leaked }).toEqual({ page, hostile, leaked: [] });
      }
    }
  });
});
