import fs from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { DECISIONS_KEY } from "../../supervisor/autoscale/decisions";
import { descendants, freePortRun, launch, ready, type Instance } from "../support/npm-start";
import { tempDir } from "../support/stack";

/**
 * The autoscaler with real processes: `npm start` with SAM_RUNNERS_MIN=1 and
 * SAM_RUNNERS_MAX=3, one run per runner. A burst of runs grows the runners to
 * three (seen in the process tree and in the decisions list), the runs
 * execute side by side, every run has exactly one result, and once the queue
 * is empty the added runners are drained and stop, back to one.
 */
const dataDir = tempDir("sam-e2e-scale-");
let instance: Instance | undefined;
afterAll(async () => {
  await instance?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const RUNS = 16;
const MAX = 3;

function runnerPids(root: number): number[] {
  return descendants(root)
    .filter((p) => /runner\/main\.ts/.test(p.args) && !/\bnpm\b|\bsh -c\b/.test(p.args))
    .map((p) => p.pid);
}

describe("npm start autoscaling", () => {
  it("grows the runners to the maximum under a burst, runs each job once, and drains back to the minimum", async () => {
    const port = await freePortRun();
    instance = launch(dataDir, {
      PORT: String(port),
      SAM_RUNNERS_MIN: "1",
      SAM_RUNNERS_MAX: String(MAX),
      SAM_RUNNER_CONCURRENCY: "1",
      SAM_AUTOSCALE_INTERVAL_MS: "500",
      SAM_AUTOSCALE_UP_WAIT_MS: "1000",
      SAM_AUTOSCALE_UP_COOLDOWN_MS: "0",
      SAM_AUTOSCALE_IDLE_MS: "3000",
      SAM_MAX_QUEUED_RUNS_PER_USER: "100",
      SAM_MAX_RUNNING_RUNS_PER_USER: "10",
      SAM_RUNS_PER_MINUTE: "1000",
    });
    await ready(instance);
    const base = instance.base;
    const password = fs.readFileSync(path.join(dataDir, "redis.password"), "utf8").trim();
    const redis = new Redis(`${path.join(dataDir, "run", "redis.sock")}?password=${password}`);
    try {
      const reg = await fetch(`${base}/api/v1/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "scale_user", password: "a long enough password" }),
      });
      expect(reg.status).toBe(201);
      const { token } = await reg.json();
      const auth = { authorization: `Bearer ${token}` };
      await expect.poll(async () => (await (await fetch(`${base}/api/v1/runtimes`, { headers: auth })).json()).length, { timeout: 120_000 }).toBeGreaterThan(0);
      expect(runnerPids(instance.child.pid!)).toHaveLength(1);

      // Each run sleeps long enough that one runner alone would hold the others in the queue for minutes.
      const ids: string[] = [];
      for (let i = 0; i < RUNS; i++) {
        const res = await fetch(`${base}/api/v1/executions`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify({ language: "python", files: [{ name: "main.py", content: `import time\ntime.sleep(6)\nprint("run ${i}")` }] }),
        });
        expect(res.status).toBe(202);
        ids.push((await res.json()).id);
      }

      // Watch until every run is final: the most runner processes and the most runs running at once.
      let mostRunners = 0;
      let mostRunning = 0;
      const final = new Map<string, { status: string; stdout: string }>();
      const deadline = Date.now() + 540_000;
      while (final.size < RUNS) {
        if (Date.now() > deadline) throw new Error(`runs not finished in time: ${final.size}/${RUNS}\n${instance.output().slice(-4000)}`);
        mostRunners = Math.max(mostRunners, runnerPids(instance.child.pid!).length);
        const views = await Promise.all(
          ids.filter((id) => !final.has(id)).map(async (id) => (await fetch(`${base}/api/v1/executions/${id}`, { headers: auth })).json()),
        );
        mostRunning = Math.max(mostRunning, views.filter((v) => v.status === "running").length);
        for (const v of views) {
          if (v.status !== "queued" && v.status !== "running") {
            final.set(v.id, v);
            // Exactly one result event per run (read before its stream expires). The runner writes the
            // final status first and publishes the event after it (runner/queue/process-execution.ts
            // publishResult), so the event may still be on its way when the status is seen.
            const resultEvents = async () =>
              (await redis.xrange(`sam:exec:${v.id}:events`, "-", "+")).filter(([, fields]) => fields[fields.indexOf("type") + 1] === "result").length;
            await expect.poll(resultEvents, { timeout: 20_000, interval: 100, message: v.id }).toBeGreaterThan(0);
            expect(await resultEvents(), v.id).toBe(1);
          }
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      ids.forEach((id, i) => expect(final.get(id)).toMatchObject({ status: "succeeded", stdout: `run ${i}\n` }));
      expect(mostRunners).toBe(MAX);
      // One run per runner: runs side by side prove the added runners took jobs.
      expect(mostRunning).toBeGreaterThan(1);

      // Idle again: the added runners are drained and exit; the first one stays.
      await expect.poll(() => runnerPids(instance!.child.pid!).length, { timeout: 120_000, interval: 500 }).toBe(1);
      const decisions = (await redis.lrange(DECISIONS_KEY, 0, -1)).map((d) => JSON.parse(d));
      expect(decisions.find((d) => d.action === "up")).toMatchObject({
        runners: expect.any(Number),
        target: expect.any(Number),
        reason: expect.any(String),
        at: expect.any(String),
      });
      expect(Math.max(...decisions.filter((d) => d.action === "up").map((d) => d.target))).toBe(MAX);
      expect(decisions.filter((d) => d.action === "down").reduce((sum, d) => sum + (d.runners - d.target), 0)).toBe(MAX - 1);
      expect(instance.output()).toContain("drained and stopped");
      expect(instance.output()).not.toContain("exited unexpectedly");
    } finally {
      redis.disconnect();
    }
  }, 900_000);
});
