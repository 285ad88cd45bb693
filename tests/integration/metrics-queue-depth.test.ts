import { randomBytes } from "node:crypto";
import net from "node:net";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { QueueDepth } from "../../lib/metrics/queue-depth";
import { createRegistry } from "../../lib/metrics/registry";
import { parseExposition, sumOf } from "../support/prometheus";

/** A queue of its own (random name) on the suite's real Redis, with jobs put in each state by hand. */
describe("queue depth per class and state (sam_queue_jobs, sam_queue_oldest_wait_seconds)", () => {
  const redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
  const name = `metrics-${randomBytes(4).toString("hex")}`;
  const queue = new Queue(name, { connection: redis });
  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
  });

  it("counts jobs by their workClass (none: api) in each state, and how long the oldest has waited", async () => {
    await queue.add("run", { executionId: "a1", workClass: "interactive" }, { jobId: "a1" });
    await queue.add("run", { executionId: "a2", workClass: "batch" }, { jobId: "a2" });
    await queue.add("run", { executionId: "a3" }, { jobId: "a3" }); // older code: no class
    await queue.add("run", { executionId: "a4", workClass: "something-new" }, { jobId: "a4" });
    await queue.add("run", { executionId: "p1", workClass: "batch" }, { jobId: "p1", priority: 10 });
    await queue.add("run", { executionId: "p2", workClass: "batch" }, { jobId: "p2", priority: 20 });
    await queue.add("run", { executionId: "d1", workClass: "interactive" }, { jobId: "d1", delay: 60_000 });
    // The first job in line (a1, interactive) becomes active, as a runner would take it.
    const worker = new Worker(name, null, { connection: new Redis(inject("redisUrl"), { maxRetriesPerRequest: null }) });
    const taken = await worker.getNextJob("test-token");
    expect(taken?.id).toBe("a1");
    await new Promise((r) => setTimeout(r, 1100));

    const registry = createRegistry("web");
    const depth = new QueueDepth(redis, name);
    depth.register(registry);
    const scraped = parseExposition(await registry.metrics());
    const jobs = (workClass: string, state: string) => sumOf(scraped, "sam_queue_jobs", { class: workClass, state });
    expect(jobs("interactive", "active")).toBe(1);
    expect(jobs("interactive", "delayed")).toBe(1);
    expect(jobs("interactive", "waiting")).toBe(0);
    // a3 and a4 count as api; waiting includes the prioritized batch jobs.
    expect(jobs("api", "waiting")).toBe(2);
    expect(jobs("batch", "waiting")).toBe(3);
    expect(jobs("batch", "prioritized")).toBe(2);
    expect(jobs("api", "prioritized")).toBe(0);
    expect(scraped.samples.filter((s) => s.name === "sam_queue_jobs").map((s) => s.labels.class)).not.toContain("something-new");
    expect(sumOf(scraped, "sam_queue_oldest_wait_seconds", { class: "api" })).toBeGreaterThanOrEqual(1);
    expect(sumOf(scraped, "sam_queue_oldest_wait_seconds", { class: "batch" })).toBeGreaterThanOrEqual(1);
    // Nothing interactive waits (one active, one delayed).
    expect(sumOf(scraped, "sam_queue_oldest_wait_seconds", { class: "interactive" })).toBe(0);

    // Jobs that leave are no longer counted (after the short cache).
    await queue.remove("a3");
    await queue.remove("p1");
    await new Promise((r) => setTimeout(r, 2100));
    const later = parseExposition(await registry.metrics());
    expect(sumOf(later, "sam_queue_jobs", { class: "api", state: "waiting" })).toBe(1);
    expect(sumOf(later, "sam_queue_jobs", { class: "batch", state: "prioritized" })).toBe(1);
    await worker.close(true);
  });

  it("a Redis that fails or does not answer leaves the queue's series out; the rest of the scrape still answers", async () => {
    // One that answers nothing: it accepts connections and never replies.
    const silent = net.createServer((socket) => socket.on("data", () => undefined));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const mute = new Redis({ port: (silent.address() as net.AddressInfo).port, host: "127.0.0.1", maxRetriesPerRequest: 1 });
    // One that is not there at all, failing each command at once.
    const gone = new Redis({ port: 1, host: "127.0.0.1", maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
    gone.on("error", () => undefined);
    try {
      for (const broken of [gone, mute]) {
        const registry = createRegistry("web");
        new QueueDepth(broken, name).register(registry);
        const scraped = parseExposition(await registry.metrics());
        expect(scraped.types.get("sam_queue_jobs")).toBe("gauge");
        expect(scraped.samples.filter((s) => s.name.startsWith("sam_queue_"))).toEqual([]);
        expect(sumOf(scraped, "process_cpu_seconds_total")).toBeGreaterThan(0);
      }
    } finally {
      mute.disconnect();
      gone.disconnect();
      silent.close();
    }
  });
});
