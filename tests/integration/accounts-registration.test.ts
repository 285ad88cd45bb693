import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { api, PASSWORD, uniqueIp, uniqueName } from "../support/api";
import { hostInvite, startWeb, tokenOfInviteUrl } from "../support/shared-backing";
import type { RunningService } from "../support/stack";

/**
 * Sign-up limits and modes through the API, each against a web process of its
 * own (the suite's shared server runs open registration with the defaults).
 */
async function register(base: string, body: Record<string, unknown>, ip = uniqueIp()) {
  const res = await fetch(`${base}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": ip },
    body: JSON.stringify({ username: uniqueName(), password: PASSWORD, ...body }),
  });
  return { status: res.status, headers: res.headers, json: await res.json().catch(() => undefined) };
}

async function sql(text: string, values: unknown[]) {
  const client = new pg.Client({ connectionString: inject("databaseUrl") });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

describe("registration limits (open mode)", () => {
  let web: RunningService;
  beforeAll(async () => {
    web = await startWeb({ SAM_REGISTER_MAX_PER_IP: "3", SAM_PASSWORD_HASH_CONCURRENCY: "1" });
  });
  afterAll(async () => {
    await web?.stop();
  });

  it("refuses a fourth account from one address with 429 and Retry-After, while another address still registers", async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 3; i++) expect((await register(web.url, {}, ip)).status).toBe(201);
    const refused = await register(web.url, {}, ip);
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe("rate_limited");
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(refused.json.error.message).toMatch(/^Too many accounts were created from your address\. Try again in \d+ (seconds|minutes)\.$/);
    expect((await register(web.url, {})).status).toBe(201);
  });

  it("a burst of sign-ups waits for a few argon2 slots and the rest get 503 busy, never a crash", async () => {
    const burst = await Promise.all(Array.from({ length: 30 }, () => register(web.url, {})));
    const statuses = burst.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 503)).toBe(true);
    const busy = burst.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0]!.json.error.code).toBe("busy");
    expect(Number(busy[0]!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThan(0);
    // The process is fine afterwards.
    expect((await register(web.url, {})).status).toBe(201);
  });
});

describe("invite mode", () => {
  let web: RunningService;
  beforeAll(async () => {
    web = await startWeb({ SAM_REGISTRATION: "invite" });
  });
  afterAll(async () => {
    await web?.stop();
  });

  it("needs an invite; the host's first invite makes the first account, whose own invites work once", async () => {
    const none = await register(web.url, {});
    expect(none.status).toBe(403);
    expect(none.json.error.code).toBe("invite_required");
    expect((await register(web.url, { invite: "sami_" + "x".repeat(43) })).json.error.code).toBe("invite_invalid");

    const first = await register(web.url, { invite: tokenOfInviteUrl(hostInvite(web.url)) });
    expect(first.status).toBe(201);
    const token = first.json.token as string;

    const made = await fetch(`${web.url}/api/v1/invites`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
    expect(made.status).toBe(201);
    const invite = await made.json();
    expect(invite.url).toBe(`${web.url}/signup#invite=${invite.token}`);
    expect(new Date(invite.expiresAt).getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600_000);

    // Two sign-ups race for one invite: exactly one gets it.
    const [a, b] = await Promise.all([register(web.url, { invite: invite.token }), register(web.url, { invite: invite.token })]);
    expect([a.status, b.status].sort()).toEqual([201, 403]);
    expect([a, b].find((r) => r.status === 403)!.json.error.code).toBe("invite_invalid");
    const winner = [a, b].find((r) => r.status === 201)!.json.user.username;

    const listed = await (await fetch(`${web.url}/api/v1/invites`, { headers: { authorization: `Bearer ${token}` } })).json();
    expect(listed.invites).toMatchObject([{ id: invite.id, usedBy: winner }]);
  });

  it("a parallel burst of invites cannot pass the cap of unused invites per user", async () => {
    const owner = await register(web.url, { invite: tokenOfInviteUrl(hostInvite(web.url)) });
    const auth = { authorization: `Bearer ${owner.json.token}` };
    const burst = await Promise.all(Array.from({ length: 25 }, () => fetch(`${web.url}/api/v1/invites`, { method: "POST", headers: auth })));
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(15);
    const listed = await (await fetch(`${web.url}/api/v1/invites`, { headers: auth })).json();
    expect(listed.invites).toHaveLength(10);
  });

  it("refuses an expired invite and a revoked one", async () => {
    const owner = await register(web.url, { invite: tokenOfInviteUrl(hostInvite(web.url)) });
    const auth = { authorization: `Bearer ${owner.json.token}` };
    const expired = await (await fetch(`${web.url}/api/v1/invites`, { method: "POST", headers: auth })).json();
    await sql(`UPDATE "Invite" SET "expiresAt" = now() - interval '1 minute' WHERE id = $1`, [expired.id]);
    expect((await register(web.url, { invite: expired.token })).json.error.code).toBe("invite_invalid");

    const revoked = await (await fetch(`${web.url}/api/v1/invites`, { method: "POST", headers: auth })).json();
    expect((await fetch(`${web.url}/api/v1/invites/${revoked.id}`, { method: "DELETE", headers: auth })).status).toBe(204);
    expect((await register(web.url, { invite: revoked.token })).json.error.code).toBe("invite_invalid");
    expect((await fetch(`${web.url}/api/v1/invites/${revoked.id}`, { method: "DELETE", headers: auth })).status).toBe(404);
  });

  it("a taken username does not use up the invite", async () => {
    const invite = tokenOfInviteUrl(hostInvite(web.url));
    const taken = await register(web.url, { invite: tokenOfInviteUrl(hostInvite(web.url)) });
    const clash = await register(web.url, { invite, username: taken.json.user.username });
    expect(clash.status).toBe(409);
    expect((await register(web.url, { invite })).status).toBe(201);
  });
});

describe("closed mode", () => {
  let web: RunningService;
  beforeAll(async () => {
    web = await startWeb({ SAM_REGISTRATION: "closed" });
  });
  afterAll(async () => {
    await web?.stop();
  });

  it("only the host's invites open an account; users cannot make invites", async () => {
    const none = await register(web.url, {});
    expect(none.status).toBe(403);
    expect(none.json.error.code).toBe("registration_closed");
    expect(none.json.error.message).toContain("npm run invite");

    const host = await register(web.url, { invite: tokenOfInviteUrl(hostInvite(web.url)) });
    expect(host.status).toBe(201);
    const made = await fetch(`${web.url}/api/v1/invites`, { method: "POST", headers: { authorization: `Bearer ${host.json.token}` } });
    expect(made.status).toBe(403);
    expect((await made.json()).error.code).toBe("invites_disabled");

    // An invite some user made (say while the server was in invite mode) does not open a closed server.
    const userMade = "sami_" + "u".repeat(43);
    const { createHash } = await import("node:crypto");
    await sql(`INSERT INTO "Invite" (id, "tokenHash", "createdById", "expiresAt") VALUES (gen_random_uuid(), $1, $2, now() + interval '1 day')`, [
      createHash("sha256").update(userMade).digest("hex"),
      host.json.user.id,
    ]);
    expect((await register(web.url, { invite: userMade })).json.error.code).toBe("invite_invalid");
  });
});

describe("the shared (open) server", () => {
  it("does not make invites: registration is open", async () => {
    const res = await api("POST", "/api/v1/auth/register", { body: { username: uniqueName(), password: PASSWORD } });
    const made = await api("POST", "/api/v1/invites", { token: res.json.token });
    expect(made.status).toBe(403);
    expect(made.json.error.code).toBe("invites_disabled");
  });
});
