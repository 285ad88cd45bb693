import { randomBytes } from "node:crypto";
import { createDatabase, type Database } from "../lib/db/client";
import type { WorkClass } from "../lib/executions/queue";
import { FakeDriver } from "../tests/support/fake-driver";
import { QueueHarness, tagOf } from "../tests/support/queue-harness";
import type { Backing } from "../tests/support/stack";

/**
 * Queue wait under load (BENCH_PARTS=priorities): the time from queuing a run
 * (recording it and adding its job, as the web app does) to a runner starting
 * it, with the real Redis, PostgreSQL, BullMQ and runner worker code, and a
 * stand-in sandbox whose every run takes RUN_MS. The sandbox's own cost is in
 * the executions part; here only the queue's order is measured.
 */
const RUN_MS = Number(process.env.BENCH_QUEUE_RUN_MS ?? 50);
const SLOTS = Number(process.env.BENCH_QUEUE_SLOTS ?? 2);
const BACKLOG = Number(process.env.BENCH_QUEUE_BACKLOG ?? 500);
const SAMPLES = Number(process.env.BENCH_QUEUE_SAMPLES ?? 60);

export interface WaitFigures {
  /** Queued (before the database insert) to the sandbox starting, as the person feels it. */
  p50: number;
  p99: number;
  /** BullMQ's own: the job added to a runner taking it (processedOn - timestamp), the queue alone. */
  takenP50: number;
  takenP99: number;
  samples: number;
  /** Runs of the backlog still queued when the last sample started (it was there all along when > 0). */
  backlogLeft?: number;
}

export interface PriorityFigures {
  runMs: number;
  slots: number;
  backlog: number;
  interactiveIdle: WaitFigures;
  interactiveBehindBatch: WaitFigures;
  otherAccountBehindFlood: WaitFigures;
  /** The flooding account's last run: what every run would wait with first-come first-served. */
  floodLastWaitMs: number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A harness whose fake sandbox reports when each run (by tag) starts. */
class TimedQueue {
  readonly started = new Map<string, number>();
  private readonly waiters = new Map<string, () => void>();
  readonly harness: QueueHarness;

  constructor(redisUrl: string, db: Database) {
    const driver = new FakeDriver((_, run) => {
      const tag = tagOf(run);
      this.started.set(tag, performance.now());
      this.waiters.get(tag)?.();
      return { kind: "program", stdout: "ok\n", exitCode: 0, delayMs: RUN_MS };
    });
    this.harness = new QueueHarness(redisUrl, db, driver);
    this.harness.startWorker(SLOTS);
  }

  /** Queues one run and resolves with how long it waited for its sandbox to start, and for a runner to take its job (ms). */
  async waitOf(userId: string, tag: string, workClass: WorkClass): Promise<{ start: number; taken: number }> {
    const started = new Promise<void>((resolve) => this.waiters.set(tag, resolve));
    const queuedAt = performance.now();
    const id = await this.harness.add(userId, tag, {}, workClass);
    await started;
    const job = await this.harness.queue.getJob(id);
    return { start: this.started.get(tag)! - queuedAt, taken: (job?.processedOn ?? NaN) - (job?.timestamp ?? NaN) };
  }

  async sample(userId: string, prefix: string, workClass: WorkClass, backlogPrefix?: string): Promise<WaitFigures> {
    const waits: number[] = [];
    const taken: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const w = await this.waitOf(userId, `${prefix}-${i}`, workClass);
      waits.push(w.start);
      taken.push(w.taken);
      await new Promise((r) => setTimeout(r, RUN_MS)); // one run at a time, as a person would
    }
    const backlogLeft = backlogPrefix === undefined ? undefined : BACKLOG - [...this.started.keys()].filter((t) => t.startsWith(backlogPrefix)).length;
    return {
      p50: percentile(waits, 50),
      p99: percentile(waits, 99),
      takenP50: percentile(taken, 50),
      takenP99: percentile(taken, 99),
      samples: SAMPLES,
      backlogLeft,
    };
  }

  async flood(userId: string, prefix: string, workClass: WorkClass): Promise<number> {
    const queuedAt = performance.now();
    for (let i = 0; i < BACKLOG; i++) await this.harness.add(userId, `${prefix}-${i}`, {}, workClass);
    return queuedAt;
  }

  close(): Promise<void> {
    return this.harness.close();
  }
}

async function user(db: Database): Promise<string> {
  const name = `bench_${randomBytes(4).toString("hex")}`;
  return (await db.user.create({ data: { username: name, usernameKey: name } })).id;
}

export async function benchPriorities(backing: Backing, log: (m: string) => void): Promise<PriorityFigures> {
  const db = createDatabase(backing.databaseUrl);
  try {
    const [watcher, bulk, flooder, other] = [await user(db), await user(db), await user(db), await user(db)];

    log(`queue: ${SAMPLES} interactive runs on an idle queue (${SLOTS} slots, runs of ${RUN_MS} ms)`);
    let q = new TimedQueue(backing.redisUrl, db);
    const interactiveIdle = await q.sample(watcher, "idle", "interactive");
    await q.close();

    log(`queue: ${SAMPLES} interactive runs behind ${BACKLOG} queued batch runs`);
    q = new TimedQueue(backing.redisUrl, db);
    await q.flood(bulk, "batch", "batch");
    const interactiveBehindBatch = await q.sample(watcher, "busy", "interactive", "batch");
    await q.close();

    log(`queue: another account's ${SAMPLES} api runs while one account has ${BACKLOG} api runs queued`);
    q = new TimedQueue(backing.redisUrl, db);
    const floodQueuedAt = await q.flood(flooder, "flood", "api");
    const otherAccountBehindFlood = await q.sample(other, "other", "api", "flood");
    const last = `flood-${BACKLOG - 1}`;
    while (!q.started.has(last)) await new Promise((r) => setTimeout(r, 50));
    const floodLastWaitMs = q.started.get(last)! - floodQueuedAt;
    await q.close();
    return { runMs: RUN_MS, slots: SLOTS, backlog: BACKLOG, interactiveIdle, interactiveBehindBatch, otherAccountBehindFlood, floodLastWaitMs };
  } finally {
    await db.$disconnect();
  }
}

export function printPriorities(r: PriorityFigures): void {
  const fmt = (n: number) => n.toFixed(n < 10 ? 1 : 0);
  console.log(`\nQueue wait (queued to started), ${r.slots} runner slots, every run ${r.runMs} ms, backlog ${r.backlog} runs\n`);
  console.log("| run | behind | to sandbox start p50 ms | p99 ms | to job taken p50 ms | p99 ms | samples | backlog left at the end |");
  console.log("|---|---|---|---|---|---|---|---|");
  const row = (what: string, behind: string, w: WaitFigures) =>
    console.log(`| ${what} | ${behind} | ${fmt(w.p50)} | ${fmt(w.p99)} | ${fmt(w.takenP50)} | ${fmt(w.takenP99)} | ${w.samples} | ${w.backlogLeft ?? ""} |`);
  row("interactive", "an idle queue", r.interactiveIdle);
  row("interactive", `${r.backlog} batch runs`, r.interactiveBehindBatch);
  row("api, account B", `${r.backlog} api runs of account A`, r.otherAccountBehindFlood);
  console.log(`\nAccount A's last run waited ${fmt(r.floodLastWaitMs)} ms: what B would wait with first-come first-served.`);
}
