import { beforeAll, describe, expect, it } from "vitest";
import { api, uniqueIp, webUrl } from "../support/api";
import { roomWithMembers, type TestUser } from "../support/rooms";

/**
 * Odd input to every route (attack-web F15): NUL (PostgreSQL refuses it in
 * text: it was a 500), lone UTF-16 surrogates (stored as U+FFFD without a
 * word), bidirectional controls, malformed %-escapes in paths (Next.js's own
 * 500), wrong JSON types, huge values. The rule: a clear 4xx with a stable
 * code, or success; never a 500.
 */
const ODD_TEXT: unknown[] = [
  "a\u0000b",
  "\ud800",
  "x\udfffy",
  "\u202etxt.exe",
  "\u2066name\u2069",
  "a\u0085b",
  "",
  " ",
  "🙂",
  "x".repeat(5000),
  "../../etc/passwd",
  "%ZZ",
  null,
  0,
  -1,
  1e308,
  true,
  [],
  {},
  ["a"],
  { $gt: "" },
];
const ODD_SEGMENTS = [
  "%ZZ",
  "%00",
  "%E0%A4%A",
  "%C0%AE%C0%AE",
  "..%2F..%2Fetc",
  "%F0%9F%98%80",
  "%E2%80%AE",
  "a".repeat(1500),
  "00000000-0000-0000-0000-000000000000",
  "%ud800",
];
const ODD_QUERY = ["limit=%ZZ", "limit=-1", "limit=1e9", "cursor=%00", "encoding=%00", "encoding=utf-7", "wait=%ZZ", "scope=%00", "limit=1&limit=2"];

let owner: TestUser;
let room: Awaited<ReturnType<typeof roomWithMembers>>;
let executionId: string;

interface Route {
  method: string;
  path: string;
  /** A valid body: each field is replaced by each odd value in turn. */
  body?: Record<string, unknown>;
  anonymous?: boolean;
}

const routes = (): Route[] => {
  const r = room.roomId;
  return [
    { method: "POST", path: "/api/v1/auth/register", body: { username: "oddname", password: "a long enough password", invite: "sami_x" }, anonymous: true },
    { method: "POST", path: "/api/v1/auth/login", body: { username: owner.username, password: "not the password", expiresInDays: 1 }, anonymous: true },
    { method: "GET", path: "/api/v1/me" },
    { method: "GET", path: "/api/v1/me/room-invitations" },
    { method: "POST", path: "/api/v1/me/room-invitations/:x/accept", body: {} },
    { method: "DELETE", path: "/api/v1/me/room-invitations/:x" },
    { method: "GET", path: "/api/v1/invites" },
    { method: "DELETE", path: "/api/v1/invites/:x" },
    { method: "GET", path: "/api/v1/health", anonymous: true },
    { method: "GET", path: "/api/v1/runtimes" },
    { method: "GET", path: "/api/v1/executions" },
    { method: "POST", path: "/api/v1/executions", body: { language: "bash", files: [{ name: "main.sh", content: "echo hi" }], stdin: "", args: [] } },
    { method: "GET", path: "/api/v1/executions/:x" },
    { method: "DELETE", path: "/api/v1/executions/:x" },
    { method: "POST", path: "/api/v1/executions/:x/stdin", body: { data: "x", eof: false } },
    { method: "GET", path: "/api/v1/rooms" },
    { method: "POST", path: "/api/v1/rooms", body: { name: "Odd", language: "python" } },
    { method: "GET", path: "/api/v1/rooms/:x" },
    { method: "PATCH", path: `/api/v1/rooms/${r}`, body: { name: "Renamed" } },
    { method: "GET", path: "/api/v1/rooms/:x/members" },
    { method: "POST", path: `/api/v1/rooms/${r}/members`, body: { username: room.outsider.username, role: "viewer" } },
    { method: "PATCH", path: `/api/v1/rooms/${r}/members/:x`, body: { role: "viewer" } },
    { method: "DELETE", path: `/api/v1/rooms/${r}/members/:x` },
    { method: "GET", path: "/api/v1/rooms/:x/invitations" },
    { method: "DELETE", path: `/api/v1/rooms/${r}/invitations/:x` },
    { method: "GET", path: "/api/v1/rooms/:x/share-links" },
    { method: "POST", path: `/api/v1/rooms/${r}/share-links`, body: { role: "viewer", expiresInDays: 1 } },
    { method: "DELETE", path: `/api/v1/rooms/${r}/share-links/:x` },
    { method: "POST", path: "/api/v1/rooms/:x/token", body: {} },
    { method: "GET", path: "/api/v1/rooms/:x/runs" },
    { method: "POST", path: `/api/v1/rooms/${r}/runs`, body: { stdin: "", args: [] } },
    { method: "POST", path: "/api/v1/share-links/join", body: { token: "samr_x" } },
    { method: "GET", path: "/api/v1/no/such/route" },
  ];
};

async function send(route: Route, path: string, body?: unknown, raw?: string) {
  return api(route.method, path, {
    token: route.anonymous ? undefined : owner.token,
    ip: uniqueIp(),
    ...(raw !== undefined ? { rawBody: raw } : body !== undefined ? { body } : {}),
  });
}

function expectNo500(res: { status: number; text: string; json: any }, what: string) {
  expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
  if (res.status >= 400 && res.status !== 401) expect(res.json?.error?.code, `${what}: ${res.text.slice(0, 300)}`).toMatch(/^[a-z_]+$/);
}

beforeAll(async () => {
  room = await roomWithMembers();
  owner = room.owner;
  const run = await api("POST", "/api/v1/executions", { token: owner.token, body: { language: "bash", files: [{ name: "main.sh", content: "echo hi" }] } });
  executionId = run.json.id;
});

describe("odd input never gives a 500", () => {
  it("in every route's path parameters", async () => {
    for (const route of routes().filter((r) => r.path.includes(":x"))) {
      for (const segment of ODD_SEGMENTS) {
        const res = await send(route, route.path.replace(":x", segment), route.body);
        expectNo500(res, `${route.method} ${route.path} with ${segment.slice(0, 40)}`);
      }
      // The real ids of another kind (an execution's id where a room's is expected) are plain 404s.
      const res = await send(route, route.path.replace(":x", executionId), route.body);
      expectNo500(res, `${route.method} ${route.path} with another kind of id`);
    }
  });

  it("in every body field", async () => {
    for (const route of routes().filter((r) => r.body)) {
      const path = route.path.replace(":x", executionId);
      for (const field of Object.keys(route.body!)) {
        for (const value of ODD_TEXT) {
          const res = await send(route, path, { ...route.body, [field]: value });
          expectNo500(res, `${route.method} ${route.path} ${field}=${JSON.stringify(value)?.slice(0, 40)}`);
        }
      }
      for (const raw of ["", "null", "[]", '"text"', "{", '{"a":1,"a":2}', "\u0000", '{"__proto__":{"x":1}}']) {
        expectNo500(await send(route, path, undefined, raw), `${route.method} ${route.path} body ${JSON.stringify(raw)}`);
      }
    }
  });

  it("in query parameters", async () => {
    for (const route of routes().filter((r) => r.method === "GET" && !r.path.includes(":x"))) {
      for (const query of ODD_QUERY) expectNo500(await send(route, `${route.path}?${query}`), `${route.path}?${query}`);
    }
  });

  it("says what is wrong: NUL in usernames, lone surrogates and bidi controls in names, bad %-escapes", async () => {
    const login = await api("POST", "/api/v1/auth/login", { body: { username: "a\u0000b", password: "whatever it is" } });
    expect([login.status, login.json.error.code]).toEqual([400, "invalid_request"]);
    const invite = await api("POST", `/api/v1/rooms/${room.roomId}/members`, { token: owner.token, body: { username: "a\u0000b", role: "viewer" } });
    expect([invite.status, invite.json.error.code]).toEqual([400, "invalid_request"]);
    for (const name of ["bad \ud800 name", "evil\u202etxt.exe", "tab\there"]) {
      const made = await api("POST", "/api/v1/rooms", { token: owner.token, body: { name, language: "python" } });
      expect([made.status, made.json.error.code]).toEqual([400, "invalid_request"]);
      expect(made.json.error.message).toMatch(/^name: /);
    }
    const renamed = await api("PATCH", `/api/v1/rooms/${room.roomId}`, { token: owner.token, body: { name: "\u2067x" } });
    expect(renamed.status).toBe(400);
    for (const path of ["/api/v1/invites/%ZZ", `/rooms/%ZZ`, "/api/v1/executions/%E0%A4%A/events"]) {
      const res = await api("GET", path, { token: owner.token });
      expect([path, res.status, res.json?.error?.code]).toEqual([path, 400, "malformed_url"]);
    }
  });

  it("in pages and next-auth's sign-in", async () => {
    for (const segment of ODD_SEGMENTS) {
      const res = await fetch(`${webUrl()}/rooms/${segment}`, { redirect: "manual" });
      expect(res.status, `/rooms/${segment}`).toBeLessThan(500);
    }
    for (const path of ["/join?x=%ZZ", "/signin?callbackUrl=%ZZ", "/signup?x=%00"]) {
      expect((await fetch(`${webUrl()}${path}`, { redirect: "manual" })).status, path).toBeLessThan(500);
    }
    const csrf = await fetch(`${webUrl()}/api/auth/csrf`);
    const cookie = csrf.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const { csrfToken } = await csrf.json();
    for (const username of ["a\u0000b", "\ud800", "\u202e"]) {
      const res = await fetch(`${webUrl()}/api/auth/callback/credentials`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie },
        body: new URLSearchParams({ csrfToken, username, password: "whatever it is", json: "true" }),
      });
      expect(res.status, `sign-in as ${JSON.stringify(username)}`).toBeLessThan(500);
    }
  });
});
