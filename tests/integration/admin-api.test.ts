import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { setSystemRole } from "../../lib/accounts/system-roles";
import { AUTOSCALER_DECISIONS_KEY } from "../../lib/admin/queue-overview";
import { createDatabase } from "../../lib/db/client";
import { readEventsNow } from "../../lib/executions/events";
import { createRedis } from "../../lib/redis/connection";
import { api, registerUser } from "../support/api";
import { signIn } from "../support/sessions";

/**
 * The admin API against the real stack (web, runner with its real sandbox,
 * PostgreSQL, Redis): every route refuses anonymous callers (401) and
 * non-admins (403 admin_only, the role read afresh on each request), and
 * admins see the queue and act on dead letters; a replay really runs again.
 */
const db = createDatabase(inject("databaseUrl"));
const redis = createRedis(inject("redisUrl"));
let admin: Awaited<ReturnType<typeof registerUser>>;
let someone: Awaited<ReturnType<typeof registerUser>>;
const UNKNOWN = "00000000-0000-4000-8000-000000000000";

beforeAll(async () => {
  [admin, someone] = await Promise.all([registerUser(), registerUser()]);
  await setSystemRole(db, admin.username, "admin");
});
afterAll(async () => {
  await db.$disconnect();
  redis.disconnect();
});

const ROUTES: Array<[string, string]> = [
  ["GET", "/api/v1/admin/queue"],
  ["GET", "/api/v1/admin/dead-letters"],
  ["GET", `/api/v1/admin/dead-letters/${UNKNOWN}`],
  ["DELETE", `/api/v1/admin/dead-letters/${UNKNOWN}`],
  ["POST", `/api/v1/admin/dead-letters/${UNKNOWN}/replay`],
];

/** A finished run of `owner` made into a dead letter as the runner makes one (internal_error + DeadLetter row). */
async function deadLetterFor(owner: { token: string }, program = "print('again')") {
  const res = await api("POST", "/api/v1/executions", { token: owner.token, body: { language: "python", files: [{ name: "main.py", content: program }] } });
  expect(res.status).toBe(202);
  const id = res.json.id as string;
  const done = await finalView(owner.token, id);
  await db.execution.update({
    where: { id },
    data: { status: "internal_error", error: "The sandbox could not start or run the program (tried 3 times).", stdout: new Uint8Array() },
  });
  const history = [1, 2, 3].map((n) => ({ at: new Date().toISOString(), kind: "sandbox", message: `runc failed (${n})` }));
  await db.deadLetter.create({
    data: {
      executionId: id,
      kind: "attempts_exhausted",
      reason: "runc failed (3)",
      attempts: history,
      job: { name: "run", data: { executionId: id }, priority: null },
    },
  });
  return { id, attempts: done.attempts as number };
}

async function finalView(token: string, id: string) {
  for (let i = 0; i < 600; i++) {
    const view = (await api("GET", `/api/v1/executions/${id}`, { token })).json;
    if (view && !["queued", "running"].includes(view.status)) return view;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`execution ${id} never finished`);
}

describe("admin routes refuse others", () => {
  it.each(ROUTES)("%s %s: 401 anonymous, 403 for a normal account (token and session)", async (method, path) => {
    const anonymous = await api(method, path);
    expect({ status: anonymous.status, code: anonymous.json?.error?.code }).toEqual({ status: 401, code: "unauthorized" });
    const normal = await api(method, path, { token: someone.token });
    expect({ status: normal.status, code: normal.json?.error?.code }).toEqual({ status: 403, code: "admin_only" });
    expect(normal.json.error.message).toContain("npm run admin -- grant");
    const cookie = await signIn(someone.username, someone.password);
    const viaSession = await api(method, path, { headers: { cookie, origin: new URL(inject("webUrl")).origin } });
    expect({ status: viaSession.status, code: viaSession.json?.error?.code }).toEqual({ status: 403, code: "admin_only" });
  });

  it("the role is read on every request: a revoke takes effect on the next one, with the same token or session cookie", async () => {
    const person = await registerUser();
    expect((await api("GET", "/api/v1/admin/queue", { token: person.token })).status).toBe(403);
    await setSystemRole(db, person.username, "admin");
    expect((await api("GET", "/api/v1/admin/queue", { token: person.token })).status).toBe(200);
    await setSystemRole(db, person.username, "user");
    expect((await api("GET", "/api/v1/admin/queue", { token: person.token })).status).toBe(403);
    // The same with a sign-in session: the cookie made while an admin carries no role.
    await setSystemRole(db, person.username, "admin");
    const cookie = await signIn(person.username, person.password);
    expect((await api("GET", "/api/v1/admin/queue", { headers: { cookie } })).status).toBe(200);
    await setSystemRole(db, person.username, "user");
    expect((await api("GET", "/api/v1/admin/queue", { headers: { cookie } })).status).toBe(403);
  });
});

describe("admins", () => {
  it("see the queue: counts per state and class, runners with driver and concurrency, the autoscaler's decisions", async () => {
    const decision = JSON.stringify({ at: new Date().toISOString(), action: "up", runners: 1, target: 2, reason: `test ${admin.username}` });
    await redis.lpush(AUTOSCALER_DECISIONS_KEY, decision, "not json");
    try {
      const res = await api("GET", "/api/v1/admin/queue", { token: admin.token });
      expect(res.status).toBe(200);
      expect(res.json.counts).toEqual({
        waiting: expect.any(Number),
        prioritized: expect.any(Number),
        delayed: expect.any(Number),
        active: expect.any(Number),
        failed: expect.any(Number),
        completed: expect.any(Number),
      });
      expect(Object.keys(res.json.byClass)).toEqual(expect.arrayContaining(["interactive", "api", "batch"]));
      // The suite's runner announces itself within a heartbeat (5 s).
      let runners = res.json.runners;
      for (let i = 0; i < 100 && !runners.some((r: { driver: string | null }) => r.driver); i++) {
        await new Promise((r) => setTimeout(r, 100));
        runners = (await api("GET", "/api/v1/admin/queue", { token: admin.token })).json.runners;
      }
      expect(runners).toContainEqual(expect.objectContaining({ driver: expect.any(String), concurrency: expect.any(Number), running: expect.any(Array) }));
      expect(res.json.autoscaler[0]).toMatchObject({ action: "up", runners: 1, target: 2, reason: `test ${admin.username}` });
      expect(res.json.autoscaler.some((d: { reason: string }) => d.reason === "not json")).toBe(false);
    } finally {
      await redis.lrem(AUTOSCALER_DECISIONS_KEY, 0, decision);
      await redis.lrem(AUTOSCALER_DECISIONS_KEY, 0, "not json");
    }
  });

  it("list and inspect dead letters; bad input is a clear 4xx", async () => {
    const { id } = await deadLetterFor(someone);
    const list = await api("GET", "/api/v1/admin/dead-letters?limit=200", { token: admin.token });
    expect(list.status).toBe(200);
    expect(list.json.deadLetters).toContainEqual(
      expect.objectContaining({ executionId: id, kind: "attempts_exhausted", owner: { id: someone.id, username: someone.username }, language: "python" }),
    );
    const one = await api("GET", `/api/v1/admin/dead-letters/${id}`, { token: admin.token });
    expect(one.status).toBe(200);
    expect(one.json.history.map((a: { message: string }) => a.message)).toEqual(["runc failed (1)", "runc failed (2)", "runc failed (3)"]);
    expect(one.json.execution).toMatchObject({ status: "internal_error", error: "The sandbox could not start or run the program (tried 3 times)." });

    const badLimit = await api("GET", "/api/v1/admin/dead-letters?limit=abc", { token: admin.token });
    expect({ status: badLimit.status, code: badLimit.json.error.code }).toEqual({ status: 400, code: "invalid_request" });
    expect(badLimit.json.error.message).toContain("limit");
    for (const bad of ["not-a-uuid", UNKNOWN]) {
      const missing = await api("GET", `/api/v1/admin/dead-letters/${bad}`, { token: admin.token });
      expect({ status: missing.status, code: missing.json.error.code }).toEqual({ status: 404, code: "dead_letter_not_found" });
    }
  });

  it("replay runs the program again under the same id, with one result; a second replay is 404", async () => {
    const { id, attempts } = await deadLetterFor(someone, "print('replayed')");
    const replay = await api("POST", `/api/v1/admin/dead-letters/${id}/replay`, { token: admin.token });
    expect(replay.status).toBe(202);
    expect(replay.json).toEqual({ executionId: id, status: "queued", replays: 1 });
    const view = await finalView(someone.token, id);
    expect(view).toMatchObject({ id, status: "succeeded", stdout: "replayed\n", attempts: attempts + 1 });
    expect(view.error ?? null).toBeNull();
    const results = (await readEventsNow(redis, id, "0")).filter((e) => e.type === "result");
    expect(results).toHaveLength(1);
    expect(JSON.parse(results[0]!.data.toString())).toMatchObject({ status: "succeeded" });
    const again = await api("POST", `/api/v1/admin/dead-letters/${id}/replay`, { token: admin.token });
    expect({ status: again.status, code: again.json.error.code }).toEqual({ status: 404, code: "dead_letter_not_found" });
  }, 120_000);

  it("a replay whose run ended otherwise meanwhile is refused (409), and the dead letter stays", async () => {
    const { id } = await deadLetterFor(someone);
    await db.execution.update({ where: { id }, data: { status: "cancelled" } });
    const res = await api("POST", `/api/v1/admin/dead-letters/${id}/replay`, { token: admin.token });
    expect({ status: res.status, code: res.json.error.code }).toEqual({ status: 409, code: "not_replayable" });
    expect(await db.deadLetter.findUnique({ where: { executionId: id } })).not.toBeNull();
  });

  it("discard forgets the dead letter; the run keeps internal_error", async () => {
    const { id } = await deadLetterFor(someone);
    const res = await api("DELETE", `/api/v1/admin/dead-letters/${id}`, { token: admin.token });
    expect(res.status).toBe(204);
    expect((await api("GET", `/api/v1/admin/dead-letters/${id}`, { token: admin.token })).status).toBe(404);
    expect((await finalView(someone.token, id)).status).toBe("internal_error");
    const again = await api("DELETE", `/api/v1/admin/dead-letters/${id}`, { token: admin.token });
    expect({ status: again.status, code: again.json.error.code }).toEqual({ status: 404, code: "dead_letter_not_found" });
  });
});
