import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createRedis } from "../../lib/redis/connection";
import { DrillStack, registerOn, report, sleep } from "./drill-stack";
import { RunTraffic } from "./run-traffic";

/**
 * Drill: `kill -9` of a runner while it runs programs, runs flowing through
 * the API all along. Every accepted run ends with its own output, once: the
 * runs the dead runner held are taken up by the other runner once their
 * queue lock expires (BullMQ's stalled-job check), as a second attempt of
 * the same execution.
 */
const CAPS = { SAM_MAX_QUEUED_RUNS_PER_USER: "1000", SAM_MAX_RUNNING_RUNS_PER_USER: "100" };

let stack: DrillStack;
beforeAll(async () => {
  stack = await DrillStack.start();
});
afterAll(async () => {
  await stack?.stop();
});

describe("drill: a runner killed mid-run", () => {
  it("its runs finish on another runner, one result each", async () => {
    const web = await stack.web(CAPS);
    const runnerEnv = { SAM_SANDBOX_DIR: inject("sandboxDir"), SAM_SANDBOX_DRIVER: "oci", SAM_RUNNER_CONCURRENCY: "3", ...CAPS };
    const doomed = await stack.service("runner/main.ts", runnerEnv);
    await stack.service("runner/main.ts", runnerEnv);
    const users = await Promise.all([registerOn(web), registerOn(web)]);
    const traffic = new RunTraffic(
      () => web.url,
      users.map((u) => u.token),
      2,
    );

    // Six runs in flight (both runners busy), then one more every 600 ms.
    for (let i = 0; i < 6; i++) await traffic.submit();
    traffic.start(600);
    const db = stack.database();
    const busy = () => db.execution.count({ where: { id: { in: traffic.ids() }, status: "running" } });
    while ((await busy()) < 4) await sleep(100);
    doomed.proc.child.kill("SIGKILL");
    const killedAt = new Date();
    await doomed.proc.exited;
    await sleep(20_000);
    await traffic.stop();

    const redis = createRedis(stack.redisUrl);
    try {
      const figures = await traffic.settle(db, redis, 180_000);
      const retried = await db.execution.findMany({ where: { id: { in: traffic.ids() }, attempts: { gt: 1 } }, select: { startedAt: true } });
      const recoveryMs = Math.max(0, ...retried.map((r) => r.startedAt!.getTime() - killedAt.getTime()));
      report("runner killed", { ...figures, refusedBy: JSON.stringify(figures.refusedBy), recoveryMs });
      // The dead runner held runs: they were cut and run again.
      expect(figures.retried).toBeGreaterThan(0);
      expect(figures, `lost runs: ${figures.lostAs}`).toMatchObject({ lost: 0, duplicated: 0, refused: 0 });
      expect(figures.results).toBe(figures.submitted);
    } finally {
      redis.disconnect();
    }
  }, 420_000);
});
