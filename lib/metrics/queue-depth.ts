import type { Redis } from "ioredis";
import { Gauge, type Registry } from "prom-client";
import { workClassOf } from "../executions/priority";
import { EXECUTION_QUEUE, type ExecutionJob, WORK_CLASSES, type WorkClass } from "../executions/queue";

/** The `class` label's values: the work classes. A job without a known class counts as "api" (workClassOf), so the label stays within this set. */
export const METRIC_CLASSES = WORK_CLASSES;
type MetricClass = WorkClass;

/** `waiting` is everything ready to run: BullMQ's wait and paused lists and its prioritized set. `prioritized` is the part of it in the set. */
export const QUEUE_STATES = ["waiting", "prioritized", "delayed", "active"] as const;
type QueueState = (typeof QUEUE_STATES)[number];

/** Scrapes closer together than this share one look at Redis. */
const CACHE_MS = 2000;
/** A scrape waits this long for Redis; then the queue's series are left out of it (the rest of the scrape still answers). */
const READ_TIMEOUT_MS = 3000;
/** Job hashes read per round trip when new jobs are first seen. */
const CHUNK = 500;

interface Snapshot {
  jobs: Map<`${QueueState}/${MetricClass}`, number>;
  /** Seconds the oldest ready job of each class has waited since it was queued (0: none waits). */
  oldestWait: Map<MetricClass, number>;
}

interface JobFacts {
  workClass: MetricClass;
  queuedAt: number;
  /** The last read that saw the job queued. */
  seen: number;
}

/**
 * Queue depth per class and state, computed when Prometheus scrapes: the job
 * ids of each state are read from BullMQ's keys (one pipeline), and each job's
 * class and queue time once, when the job is first seen (they never change);
 * later scrapes read only the jobs that are new since. So a scrape costs a
 * list of ids plus the hashes of new jobs, nothing per job already known.
 * Keys are BullMQ's own (prefix "bull"): `<prefix>:<queue>:wait` etc.
 */
export class QueueDepth {
  private readonly known = new Map<string, JobFacts>();
  private generation = 0;
  private cached?: { at: number; done: boolean; snapshot: Promise<Snapshot> };

  constructor(
    private readonly redis: Redis,
    private readonly queue = EXECUTION_QUEUE,
    private readonly prefix = "bull",
  ) {}

  /** The counts, at most CACHE_MS old; a read still going on is shared, never started twice. */
  snapshot(): Promise<Snapshot> {
    const now = Date.now();
    if (!this.cached || (this.cached.done && now - this.cached.at >= CACHE_MS)) {
      const cached = { at: now, done: false, snapshot: this.read() };
      this.cached = cached;
      cached.snapshot.then(
        () => (cached.done = true),
        () => this.cached === cached && (this.cached = undefined),
      );
    }
    return this.cached.snapshot;
  }

  /**
   * The snapshot, or nothing when Redis fails or is slow: then the scrape has
   * no queue series (absent(sam_queue_jobs) tells), rather than failing as a
   * whole or hanging until Prometheus gives up.
   */
  async snapshotOrNothing(): Promise<Snapshot | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), READ_TIMEOUT_MS)));
    try {
      return await Promise.race([this.snapshot(), late]);
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Registers sam_queue_jobs and sam_queue_oldest_wait_seconds, both filled from one snapshot per scrape. */
  register(registry: Registry): void {
    const depth = this;
    new Gauge({
      name: "sam_queue_jobs",
      help: "Execution jobs in the queue by work class and state; waiting = ready to run (includes prioritized).",
      labelNames: ["class", "state"],
      registers: [registry],
      async collect() {
        this.reset();
        const snapshot = await depth.snapshotOrNothing();
        if (!snapshot) return;
        const { jobs } = snapshot;
        for (const state of QUEUE_STATES) for (const c of METRIC_CLASSES) this.set({ class: c, state }, jobs.get(`${state}/${c}`) ?? 0);
      },
    });
    new Gauge({
      name: "sam_queue_oldest_wait_seconds",
      help: "How long the oldest job ready to run of each work class has waited since it was queued (0 when none waits).",
      labelNames: ["class"],
      registers: [registry],
      async collect() {
        this.reset();
        const snapshot = await depth.snapshotOrNothing();
        if (!snapshot) return;
        const { oldestWait } = snapshot;
        for (const c of METRIC_CLASSES) this.set({ class: c }, oldestWait.get(c) ?? 0);
      },
    });
  }

  private async read(): Promise<Snapshot> {
    const key = (name: string) => `${this.prefix}:${this.queue}:${name}`;
    const lists = await this.redis
      .pipeline()
      .lrange(key("wait"), 0, -1)
      .lrange(key("paused"), 0, -1)
      .zrange(key("prioritized"), 0, -1)
      .zrange(key("delayed"), 0, -1)
      .lrange(key("active"), 0, -1)
      .exec();
    const [wait, paused, prioritized, delayed, active] = (lists ?? []).map(([err, value]) => {
      if (err) throw err;
      return value as string[];
    }) as [string[], string[], string[], string[], string[]];
    // A job moves between states while the ids are read: it may show in two lists, never twice in one.
    const byState: Array<[QueueState, string[][]]> = [
      ["waiting", [wait, paused, prioritized]],
      ["prioritized", [prioritized]],
      ["delayed", [delayed]],
      ["active", [active]],
    ];
    const generation = ++this.generation;
    const unknown: string[] = [];
    for (const [, lists] of byState) {
      for (const list of lists) {
        for (const id of list) {
          const facts = this.known.get(id);
          if (facts) facts.seen = generation;
          else unknown.push(id);
        }
      }
    }
    await this.learn(unknown, key, generation);
    // Forget jobs that left the queue: what is kept is bounded by what is queued.
    for (const [id, facts] of this.known) if (facts.seen !== generation) this.known.delete(id);

    const jobs: Snapshot["jobs"] = new Map();
    const oldestWait: Snapshot["oldestWait"] = new Map();
    const now = Date.now();
    for (const [state, lists] of byState) {
      const counts = new Map<MetricClass, number>();
      for (const list of lists) {
        for (const id of list) {
          const facts = this.known.get(id);
          if (!facts) continue; // removed between the two reads
          counts.set(facts.workClass, (counts.get(facts.workClass) ?? 0) + 1);
          if (state !== "waiting") continue;
          const waited = Math.max(0, (now - facts.queuedAt) / 1000);
          if (waited > (oldestWait.get(facts.workClass) ?? 0)) oldestWait.set(facts.workClass, waited);
        }
      }
      for (const [workClass, n] of counts) jobs.set(`${state}/${workClass}`, n);
    }
    return { jobs, oldestWait };
  }

  /** Reads the class and queue time of jobs not seen before. */
  private async learn(ids: string[], key: (name: string) => string, generation: number): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const pipeline = this.redis.pipeline();
      for (const id of chunk) pipeline.hmget(key(id), "data", "timestamp");
      const replies = (await pipeline.exec()) ?? [];
      chunk.forEach((id, j) => {
        const [err, value] = replies[j] ?? [];
        if (err || !value) return;
        const [data, timestamp] = value as [string | null, string | null];
        if (data === null) return; // the job is gone already
        this.known.set(id, { workClass: classOf(data), queuedAt: Number(timestamp) || Date.now(), seen: generation });
      });
    }
  }
}

function classOf(data: string): MetricClass {
  try {
    return workClassOf(JSON.parse(data) as ExecutionJob);
  } catch {
    return workClassOf({});
  }
}
