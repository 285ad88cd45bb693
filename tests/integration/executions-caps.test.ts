import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type Database } from "../../lib/db/client";
import { OutputBudget } from "../../lib/executions/output-budget";
import { publishRuntimes } from "../../lib/executions/runtimes";
import { createRedis } from "../../lib/redis/connection";
import type { Redis } from "ioredis";
import { FakeDriver } from "../support/fake-driver";
import { QueueHarness } from "../support/queue-harness";
import { eventually } from "../support/rooms";
import { startBacking, startService, type Backing, type RunningService } from "../support/stack";

/**
 * Per-account caps at the API, on a web process of its own with small caps
 * and no runner (so runs stay queued): runs queued or running at once, the
 * output budget (spent by the runner's code, refused here), and open event
 * streams (SSE and ?wait=true), counted in Redis across web processes.
 */
const CAPS = { queued: 2, budgetMb: 1, streams: 2 };
let backing: Backing;
let web: RunningService;
let secondWeb: RunningService;
let redis: Redis;
let db: Database;

beforeAll(async () => {
  backing = await startBacking();
  const env = {
    SAM_MAX_QUEUED_RUNS_PER_USER: String(CAPS.queued),
    SAM_OUTPUT_BUDGET_MB: String(CAPS.budgetMb),
    SAM_OUTPUT_BUDGET_WINDOW_SECONDS: "600",
    SAM_MAX_EVENT_STREAMS_PER_USER: String(CAPS.streams),
  };
  // Two web processes: the stream cap holds across them.
  [web, secondWeb] = await Promise.all([startService("web/server.ts", backing, env), startService("web/server.ts", backing, env)]);
  redis = createRedis(backing.redisUrl);
  db = createDatabase(backing.databaseUrl);
  // No runner here: publish a runtime so runs are accepted (and stay queued).
  await publishRuntimes(redis, "test-runner", [{ language: "python", version: "3", aliases: [], limits: {} }]);
});
afterAll(async () => {
  redis?.disconnect();
  await db?.$disconnect();
  await web?.stop();
  await secondWeb?.stop();
  await backing?.stop();
});

async function register(name: string) {
  const res = await fetch(`${web.url}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: name, password: "a long enough password" }),
  });
  const body = await res.json();
  return { token: body.token as string, id: body.user.id as string };
}

const hello = { language: "python", files: [{ name: "main.py", content: "print(1)" }] };
const post = (token: string, query = "") =>
  fetch(`${web.url}/api/v1/executions${query}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(hello),
  });

async function expectRefused(res: Response, code: string) {
  expect(res.status).toBe(429);
  expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  expect((await res.json()).error.code).toBe(code);
}

describe("runs queued or running at once per account", () => {
  it("beyond the cap: 429 too_many_active_runs with Retry-After; other accounts are not affected; a cancelled run frees a place", async () => {
    const ada = await register("capped_ada");
    const ids: string[] = [];
    for (let i = 0; i < CAPS.queued; i++) {
      const res = await post(ada.token);
      expect(res.status).toBe(202);
      ids.push((await res.json()).id);
    }
    await expectRefused(await post(ada.token), "too_many_active_runs");
    const grace = await register("capped_grace");
    expect((await post(grace.token)).status).toBe(202);
    const cancelled = await fetch(`${web.url}/api/v1/executions/${ids[0]}`, { method: "DELETE", headers: { authorization: `Bearer ${ada.token}` } });
    expect(cancelled.status).toBe(200);
    expect((await post(ada.token)).status).toBe(202);
  });

  it("parallel requests cannot squeeze past the cap", async () => {
    const lin = await register("capped_lin");
    const answers = await Promise.all(Array.from({ length: 6 }, () => post(lin.token)));
    expect(answers.filter((r) => r.status === 202)).toHaveLength(CAPS.queued);
    expect(answers.filter((r) => r.status === 429)).toHaveLength(6 - CAPS.queued);
  });
});

describe("the output budget", () => {
  it("once an account's runs have streamed their budget, new runs get 429 output_budget_exhausted with Retry-After", async () => {
    const ken = await register("budget_ken");
    // The runner's code spends the budget: a run that prints more than it (fake driver, real queue, Redis, PostgreSQL).
    const budget = new OutputBudget(redis, { bytes: CAPS.budgetMb * 1024 * 1024, windowSeconds: 600 });
    const harness = new QueueHarness(backing.redisUrl, db, new FakeDriver(() => ({ kind: "program", stdout: Buffer.alloc(1536 * 1024, "z"), exitCode: 0 })), {
      outputBudget: budget,
    });
    try {
      const id = await harness.add(ken.id, "print('z' * 1536 * 1024)", { outputKb: 2048 });
      harness.startWorker();
      expect((await harness.waitForFinal(id)).status).toBe("succeeded");
    } finally {
      await harness.close();
    }
    const refused = await post(ken.token);
    await expectRefused(refused, "output_budget_exhausted");
    expect((await register("budget_other").then((u) => post(u.token))).status).toBe(202);
  });
});

describe("open event streams per user", () => {
  it("beyond the cap, counted across web processes: 429 too_many_streams; closing one frees a place; ?wait=true counts too", async () => {
    const mia = await register("streams_mia");
    const run = (await (await post(mia.token)).json()).id as string;
    const open = (base = web.url) => {
      const controller = new AbortController();
      const response = fetch(`${base}/api/v1/executions/${run}/events`, { headers: { authorization: `Bearer ${mia.token}` }, signal: controller.signal });
      return { response, close: () => controller.abort() };
    };
    const first = open();
    const second = open(secondWeb.url);
    expect((await first.response).status).toBe(200);
    expect((await second.response).status).toBe(200);
    const third = await open().response;
    await expectRefused(third, "too_many_streams");
    // A request that waits for its result holds a place like a stream.
    await expectRefused(await post(mia.token, "?wait=true"), "too_many_streams");
    // Another user is not affected.
    const other = await register("streams_other");
    const theirs = (await (await post(other.token)).json()).id as string;
    const otherStream = new AbortController();
    expect(
      (await fetch(`${web.url}/api/v1/executions/${theirs}/events`, { headers: { authorization: `Bearer ${other.token}` }, signal: otherStream.signal }))
        .status,
    ).toBe(200);
    otherStream.abort();

    first.close();
    let reopened: ReturnType<typeof open> | undefined;
    await eventually("a place to be free again", async () => {
      reopened?.close();
      reopened = open();
      return (await reopened.response).status === 200;
    });
    second.close();
    reopened?.close();
  });
});
