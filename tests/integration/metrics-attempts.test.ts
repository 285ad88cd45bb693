import { afterAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../../lib/db/client";
import { RunMetrics } from "../../lib/metrics/runs";
import { createRegistry } from "../../lib/metrics/registry";
import { registerUser } from "../support/api";
import { FakeDriver } from "../support/fake-driver";
import { QueueHarness } from "../support/queue-harness";
import { parseExposition, sumOf } from "../support/prometheus";

/**
 * The runner's run metrics through the real queue (Redis, PostgreSQL,
 * BullMQ) with a scripted driver: attempts the sandbox fails count as failed
 * (and in no duration), the attempt that succeeds counts once, by language
 * and status; queue wait only for the first attempt.
 */
const db = createDatabase(inject("databaseUrl"));
afterAll(() => db.$disconnect());

describe("run metrics across retried attempts", () => {
  it("two sandbox failures then a result: 2 failed attempts, 1 run, 1 queue wait, 1 sandbox start, nothing left in flight", async () => {
    const registry = createRegistry("runner");
    const driver = new FakeDriver((attempt) =>
      attempt < 3 ? { kind: "infrastructure_failure", message: "no sandbox today" } : { kind: "program", stdout: "ok\n", exitCode: 0 },
    );
    const harness = new QueueHarness(inject("redisUrl"), db, driver, { metrics: new RunMetrics(registry, "oci") });
    try {
      const { id: userId } = await registerUser();
      harness.startWorker();
      const id = await harness.add(userId);
      expect((await harness.waitForFinal(id)).status).toBe("succeeded");
      const scraped = parseExposition(await registry.metrics());
      expect(sumOf(scraped, "sam_run_attempts_failed_total", { language: "python" })).toBe(2);
      expect(sumOf(scraped, "sam_run_duration_seconds_count")).toBe(1);
      expect(sumOf(scraped, "sam_run_duration_seconds_count", { language: "python", status: "succeeded" })).toBe(1);
      expect(sumOf(scraped, "sam_queue_wait_seconds_count", { language: "python" })).toBe(1);
      expect(sumOf(scraped, "sam_sandbox_start_seconds_count", { driver: "oci" })).toBe(1);
      expect(sumOf(scraped, "sam_runs_in_flight")).toBe(0);
      expect(sumOf(scraped, "sam_runners", { driver: "oci" })).toBe(1);
    } finally {
      await harness.close();
    }
  });

  it("a failing program is a result with its own status, not a failed attempt", async () => {
    const registry = createRegistry("runner");
    const driver = new FakeDriver(() => ({ kind: "program", stdout: "", exitCode: 3 }));
    const harness = new QueueHarness(inject("redisUrl"), db, driver, { metrics: new RunMetrics(registry, "oci") });
    try {
      const { id: userId } = await registerUser();
      harness.startWorker();
      const id = await harness.add(userId);
      expect((await harness.waitForFinal(id)).status).toBe("failed");
      const scraped = parseExposition(await registry.metrics());
      expect(sumOf(scraped, "sam_run_duration_seconds_count", { language: "python", status: "failed" })).toBe(1);
      expect(sumOf(scraped, "sam_run_attempts_failed_total")).toBe(0);
    } finally {
      await harness.close();
    }
  });
});
