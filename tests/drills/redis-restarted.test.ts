import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { createRedis } from "../../lib/redis/connection";
import { api } from "../support/api";
import { DrillStack, eventually, registerOn, report, sleep } from "./drill-stack";
import { RunTraffic } from "./run-traffic";

/**
 * Drill: Redis (the queue) stopped and started again while runs wait in the
 * queue and more are submitted. The embedded Redis keeps an append-only file
 * (supervisor/embedded-redis.ts): the queued jobs come back with it, and the
 * web and runner processes reconnect by themselves. Every accepted run ends
 * with its own result, once.
 */
const CAPS = { SAM_MAX_QUEUED_RUNS_PER_USER: "1000", SAM_MAX_RUNNING_RUNS_PER_USER: "100" };
const OUTAGE_MS = 4000;

let stack: DrillStack;
beforeEach(async () => {
  stack = await DrillStack.start();
});
afterEach(async () => {
  await stack?.stop();
});

// Stopped (SIGTERM: Redis writes its AOF out and exits), and crashed (SIGKILL: Redis has written each
// command to its AOF as it came, fsync once a second: only a machine crash could lose that second).
describe.each(["SIGTERM", "SIGKILL"] as const)("drill: Redis restarted mid-queue (%s)", (signal) => {
  it("queued runs still run; services reconnect", async () => {
    const web = await stack.web(CAPS);
    // One slot: most runs wait in the queue when Redis goes.
    await stack.service("runner/main.ts", { SAM_SANDBOX_DIR: inject("sandboxDir"), SAM_SANDBOX_DRIVER: "oci", SAM_RUNNER_CONCURRENCY: "1", ...CAPS });
    const users = await Promise.all([registerOn(web), registerOn(web)]);
    const traffic = new RunTraffic(
      () => web.url,
      users.map((u) => u.token),
      1,
    );
    for (let i = 0; i < 8; i++) await traffic.submit();
    traffic.start(700);
    await sleep(1500);
    const db = stack.database();
    const queuedBefore = await db.execution.count({ where: { id: { in: traffic.ids() }, status: "queued" } });

    if (signal === "SIGKILL") await stack.crashRedis();
    else await stack.stopRedis();
    const stoppedAt = Date.now();
    await sleep(OUTAGE_MS);
    await stack.startRedis();
    const startedAt = Date.now();
    // Recovered: the API takes runs again, and a run submitted now is taken and finished.
    const acceptingMs = await eventually("the API accepts runs again", async () => (await traffic.submit()) !== undefined, 60_000, 250);
    const probe = await api("POST", "/api/v1/executions?wait=true", {
      base: web.url,
      token: users[0]!.token,
      body: { language: "python", files: [{ name: "main.py", content: "print('after')" }] },
    });
    await sleep(3000);
    await traffic.stop();
    const redis = createRedis(stack.redisUrl);
    try {
      const figures = await traffic.settle(db, redis, 240_000);
      // The first run to finish after the restart: how soon queued work flows again.
      const firstAfter = await db.execution.findFirst({
        where: { id: { in: traffic.ids() }, finishedAt: { gt: new Date(startedAt) } },
        orderBy: { finishedAt: "asc" },
        select: { finishedAt: true },
      });
      const runsResumeMs = firstAfter ? firstAfter.finishedAt!.getTime() - startedAt : "none";
      report(`redis restarted (${signal})`, {
        ...figures,
        refusedBy: JSON.stringify(figures.refusedBy),
        queuedWhenStopped: queuedBefore,
        outageMs: startedAt - stoppedAt,
        acceptingMs,
        runsResumeMs,
      });
      expect(queuedBefore).toBeGreaterThan(0);
      expect(probe.status, probe.text).toBe(200);
      expect(probe.json.stdout).toBe("after\n");
      expect(figures, `lost runs: ${figures.lostAs}`).toMatchObject({ lost: 0, duplicated: 0 });
      expect(figures.results).toBe(figures.submitted);
      // Submissions during the outage were refused as such, nothing else.
      expect(Object.keys(figures.refusedBy).every((k) => k === "503 queue_unavailable")).toBe(true);
      expect(stack.services.every((s) => s.proc.child.exitCode === null)).toBe(true);
    } finally {
      redis.disconnect();
    }
  }, 420_000);
});
