import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createRedis } from "../../lib/redis/connection";
import { api } from "../support/api";
import { DrillStack, eventually, registerOn, report, sleep } from "./drill-stack";
import { RunTraffic } from "./run-traffic";

/**
 * Drill: PostgreSQL stopped and started again while runs flow. Meanwhile the
 * API answers 503 `database_unavailable` with Retry-After (never a 500, never
 * a hang); once it is back, the same web and runner processes serve again
 * (their pools reconnect), and every run accepted before the outage ends
 * with its result, once.
 */
const CAPS = { SAM_MAX_QUEUED_RUNS_PER_USER: "1000", SAM_MAX_RUNNING_RUNS_PER_USER: "100" };
const OUTAGE_MS = 6000;

let stack: DrillStack;
beforeAll(async () => {
  stack = await DrillStack.start();
});
afterAll(async () => {
  await stack?.stop();
});

describe("drill: PostgreSQL restarted", () => {
  it("the API answers 503 meanwhile, then recovers without a restart of ours", async () => {
    const web = await stack.web(CAPS);
    await stack.service("runner/main.ts", { SAM_SANDBOX_DIR: inject("sandboxDir"), SAM_SANDBOX_DRIVER: "oci", SAM_RUNNER_CONCURRENCY: "1", ...CAPS });
    const users = await Promise.all([registerOn(web), registerOn(web)]);
    // One slot and runs of a second: runs wait in the queue, and the runner takes them while the database is gone.
    const traffic = new RunTraffic(
      () => web.url,
      users.map((u) => u.token),
      1,
    );
    for (let i = 0; i < 8; i++) await traffic.submit();
    const known = traffic.ids()[0]!;
    traffic.start(500);
    await sleep(2000);

    const queuedWhenStopped = await stack.database().execution.count({ where: { id: { in: traffic.ids() }, status: "queued" } });
    await stack.stopPostgres();
    const stoppedAt = Date.now();
    // While it is down: reads and writes alike are refused with a code a client can act on.
    const statuses: Record<string, number> = {};
    while (Date.now() - stoppedAt < OUTAGE_MS) {
      for (const res of await Promise.all([
        api("GET", `/api/v1/executions/${known}`, { base: web.url, token: users[0]!.token }),
        api("POST", "/api/v1/executions", {
          base: web.url,
          token: users[1]!.token,
          body: { language: "python", files: [{ name: "main.py", content: "print(1)" }] },
        }),
      ])) {
        const key = `${res.status} ${res.json?.error?.code ?? ""}`.trim();
        statuses[key] = (statuses[key] ?? 0) + 1;
        expect(res.status, res.text).toBe(503);
        expect(res.json.error.code).toBe("database_unavailable");
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      }
      await sleep(250);
    }

    await stack.startPostgres();
    const startedAt = Date.now();
    const recoveryMs = await eventually(
      "the API serves again",
      async () => (await api("GET", `/api/v1/executions/${known}`, { base: web.url, token: users[0]!.token })).status === 200,
      60_000,
    );
    await sleep(3000);
    await traffic.stop();
    const redis = createRedis(stack.redisUrl);
    try {
      const figures = await traffic.settle(stack.database(), redis, 180_000);
      // The first run to finish after the restart: how soon queued work flows again.
      const firstAfter = await stack.database().execution.findFirst({
        where: { id: { in: traffic.ids() }, finishedAt: { gt: new Date(startedAt) } },
        orderBy: { finishedAt: "asc" },
        select: { finishedAt: true },
      });
      const runsResumeMs = firstAfter ? firstAfter.finishedAt!.getTime() - startedAt : "none";
      report("postgres restarted", {
        ...figures,
        refusedBy: JSON.stringify(figures.refusedBy),
        queuedWhenStopped,
        outageMs: startedAt - stoppedAt,
        duringOutage: JSON.stringify(statuses),
        recoveryMs,
        runsResumeMs,
      });
      expect(queuedWhenStopped).toBeGreaterThan(0);
      // Our processes were not restarted: the ones started before the outage still run and served it all.
      expect(stack.services.every((s) => s.proc.child.exitCode === null)).toBe(true);
      expect(figures, `lost runs: ${figures.lostAs}`).toMatchObject({ lost: 0, duplicated: 0 });
      expect(figures.results).toBe(figures.submitted);
      // Submissions during the outage were refused as such, nothing else.
      expect(Object.keys(figures.refusedBy).every((k) => k === "503 database_unavailable")).toBe(true);
    } finally {
      redis.disconnect();
    }
  }, 420_000);
});
