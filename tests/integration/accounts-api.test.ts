import { Agent } from "undici";
import { describe, expect, it } from "vitest";
import { api, PASSWORD, registerUser, uniqueName, webUrl } from "../support/api";

const expectError = (res: { status: number; json: any }, status: number, code: string) => {
  expect(res.status).toBe(status);
  expect(res.json?.error?.code).toBe(code);
  expect(typeof res.json?.error?.message).toBe("string");
  expect(res.json.error.message.length).toBeGreaterThan(10);
};

describe("POST /api/v1/auth/register", () => {
  it("creates a user and returns a working token", async () => {
    const username = uniqueName("Reg");
    const res = await api("POST", "/api/v1/auth/register", { body: { username, password: PASSWORD } });
    expect(res.status).toBe(201);
    expect(res.json.user).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), username });
    expect(res.json.token).toMatch(/^sam_[A-Za-z0-9_-]{43}$/);
    const me = await api("GET", "/api/v1/me", { token: res.json.token });
    expect(me.status).toBe(200);
    expect(me.json.user).toEqual(res.json.user);
  });

  it("refuses a taken username, whatever its case, with 409", async () => {
    const { username } = await registerUser();
    expectError(await api("POST", "/api/v1/auth/register", { body: { username, password: PASSWORD } }), 409, "username_taken");
    expectError(await api("POST", "/api/v1/auth/register", { body: { username: username.toUpperCase(), password: PASSWORD } }), 409, "username_taken");
  });

  it.each([
    ["a too short username", { username: "ab", password: PASSWORD }, "username"],
    ["a too long username", { username: "x".repeat(33), password: PASSWORD }, "username"],
    ["a username with a space", { username: "bad name", password: PASSWORD }, "username"],
    ["a username with a slash", { username: "../etc", password: PASSWORD }, "username"],
    ["a short password", { username: uniqueName(), password: "123456789" }, "password"],
    ["a missing password", { username: uniqueName() }, "password"],
    ["a numeric username", { username: 12345, password: PASSWORD }, "username"],
    ["an unknown field", { username: uniqueName(), password: PASSWORD, admin: true }, "admin"],
  ])("refuses %s with 400 naming the field", async (_label, body, field) => {
    const res = await api("POST", "/api/v1/auth/register", { body });
    expectError(res, 400, "invalid_request");
    expect(res.json.error.message).toContain(field);
  });

  it("accepts exactly 10 password characters and names of 3 and 32 characters", async () => {
    const short = uniqueName("x").slice(0, 3);
    for (const username of [`${short}`, `a${uniqueName()}`.padEnd(32, "z").slice(0, 32)]) {
      const res = await api("POST", "/api/v1/auth/register", { body: { username, password: "0123456789" } });
      expect([201, 409]).toContain(res.status);
    }
  });

  it("refuses malformed JSON, a non-JSON body, a JSON array and an oversized body", async () => {
    expectError(await api("POST", "/api/v1/auth/register", { rawBody: '{"username": "x",' }), 400, "malformed_json");
    expectError(
      await api("POST", "/api/v1/auth/register", { rawBody: "username=x", headers: { "content-type": "application/x-www-form-urlencoded" } }),
      415,
      "unsupported_media_type",
    );
    expectError(await api("POST", "/api/v1/auth/register", { body: [1, 2] }), 400, "invalid_request");
    expectError(await api("POST", "/api/v1/auth/register", { body: { username: uniqueName(), password: "p".repeat(100_000) } }), 413, "payload_too_large");
  });
});

it("refuses an oversized body sent without a length (chunked) with 413", async () => {
  const keepAlive = new Agent();
  const chunk = new TextEncoder().encode(" ".repeat(16 * 1024));
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      // Far more than the limit: the server must stop reading, not buffer it all.
      if (sent++ < 1000) controller.enqueue(chunk);
      else controller.close();
    },
  });
  const res = await fetch(`${webUrl()}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    duplex: "half",
    // A connection that may stay open (the suite's default closes each one): the server answers 413 and stops
    // reading; told to close, it would close while the body still streams, and the client could lose the answer.
    dispatcher: keepAlive,
  } as RequestInit);
  expect(res.status).toBe(413);
  expect((await res.json()).error.code).toBe("payload_too_large");
});

describe("POST /api/v1/auth/login", () => {
  it("returns the user and a new token for the right password, in any username case", async () => {
    const user = await registerUser(uniqueName("Case"));
    const res = await api("POST", "/api/v1/auth/login", { body: { username: user.username.toLowerCase(), password: user.password } });
    expect(res.status).toBe(200);
    expect(res.json.user).toEqual({ id: user.id, username: user.username });
    expect(res.json.token).not.toBe(user.token);
    expect((await api("GET", "/api/v1/me", { token: res.json.token })).status).toBe(200);
  });

  it("answers 401 alike for a wrong password and an unknown user", async () => {
    const user = await registerUser();
    const wrong = await api("POST", "/api/v1/auth/login", { body: { username: user.username, password: "wrong password!" } });
    const unknown = await api("POST", "/api/v1/auth/login", { body: { username: uniqueName(), password: PASSWORD } });
    expectError(wrong, 401, "invalid_credentials");
    expectError(unknown, 401, "invalid_credentials");
    expect(wrong.json.error.message).toBe(unknown.json.error.message);
  });

  it("refuses a body without credentials with 400", async () => {
    expectError(await api("POST", "/api/v1/auth/login", { body: {} }), 400, "invalid_request");
    expectError(await api("POST", "/api/v1/auth/login", { body: { username: "x", password: 5 } }), 400, "invalid_request");
  });
});

describe("Bearer tokens on /api/v1", () => {
  it("answers 401 with a clear message for a missing, malformed or unknown token", async () => {
    const missing = await api("GET", "/api/v1/me");
    expectError(missing, 401, "unauthorized");
    expect(missing.headers.get("www-authenticate")).toContain("Bearer");
    expectError(await api("GET", "/api/v1/me", { token: "not-a-token" }), 401, "unauthorized");
    expectError(await api("GET", "/api/v1/me", { token: `sam_${"A".repeat(43)}` }), 401, "unauthorized");
    expectError(await api("GET", "/api/v1/me", { headers: { authorization: "Basic YWxpY2U6cGFzc3dvcmQ=" } }), 401, "unauthorized");
  });

  it("protects routes that do not exist too: 401 without a token, 404 with one", async () => {
    expectError(await api("GET", "/api/v1/executions"), 401, "unauthorized");
    expectError(await api("DELETE", "/api/v1/anything/at/all"), 401, "unauthorized");
    const { token } = await registerUser();
    expectError(await api("GET", "/api/v1/no-such-route", { token }), 404, "not_found");
  });

  it("stops working once revoked through /api/v1/auth/logout", async () => {
    const { token } = await registerUser();
    const out = await api("POST", "/api/v1/auth/logout", { token });
    expect(out.status).toBe(204);
    expectError(await api("GET", "/api/v1/me", { token }), 401, "unauthorized");
  });

  it("keeps each user's token to that user", async () => {
    const a = await registerUser();
    const b = await registerUser();
    expect((await api("GET", "/api/v1/me", { token: a.token })).json.user.id).toBe(a.id);
    expect((await api("GET", "/api/v1/me", { token: b.token })).json.user.id).toBe(b.id);
  });
});
