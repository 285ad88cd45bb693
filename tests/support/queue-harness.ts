import { randomBytes } from "node:crypto";
import { Queue, type Worker } from "bullmq";
import type { Redis } from "ioredis";
import pino from "pino";
import type { Database } from "../../lib/db/client";
import { DEFAULT_POLICY, resolveLimits, type RunLimits } from "../../lib/executions/limits";
import { queueRun } from "../../lib/executions/priority";
import { MAX_ATTEMPTS, type WorkClass } from "../../lib/executions/queue";
import { createRedis } from "../../lib/redis/connection";
import type { ProcessDeps } from "../../runner/queue/process-execution";
import { Watchdog } from "../../runner/queue/watchdog";
import { createExecutionWorker } from "../../runner/queue/worker";
import { language } from "./drivers";
import type { FakeDriver } from "./fake-driver";

/**
 * The runner's queue with real Redis, PostgreSQL and BullMQ, and a fake
 * driver: one random queue name per harness, executions added as the web app
 * adds them. Close it to stop its workers and connections.
 */
export class QueueHarness {
  readonly queueName = `test-${randomBytes(6).toString("hex")}`;
  readonly queue: Queue;
  readonly deps: ProcessDeps;
  private readonly workers: Worker[] = [];
  /** Connections handed to BullMQ (which leaves them open when it closes). */
  private readonly connections: Redis[] = [];

  constructor(
    private readonly redisUrl: string,
    readonly db: Database,
    driver: FakeDriver,
    extra: Partial<ProcessDeps> = {},
  ) {
    this.queue = new Queue(this.queueName, {
      connection: this.connection(),
      defaultJobOptions: { attempts: MAX_ATTEMPTS, backoff: { type: "exponential", delay: 100 } },
    });
    const log = pino({ level: "silent" });
    this.deps = {
      db,
      redis: this.connection(),
      driver,
      languages: new Map([["python", language("python")]]),
      diskMb: 64,
      log,
      running: new Map(),
      stopping: false,
      watchdog: new Watchdog({ graceMs: 60_000, log }),
      ...extra,
    };
  }

  startWorker(concurrency = 1, deps: ProcessDeps = this.deps): Worker {
    const worker = createExecutionWorker(deps, { connection: this.connection(), concurrency, queueName: this.queueName });
    this.workers.push(worker);
    return worker;
  }

  /** Records a run as the web app does and queues it (with its class's priority); `tag` is the entry file's content, so a fake driver can tell runs apart. */
  async add(userId: string, tag = "print(1)", limits: Partial<RunLimits> = {}, workClass: WorkClass = "api"): Promise<string> {
    const execution = await this.db.execution.create({
      data: {
        userId,
        language: "python",
        version: "3",
        files: { create: [{ position: 0, name: "main.py", content: Buffer.from(tag) }] },
        limits: { ...resolveLimits(DEFAULT_POLICY, {}, limits) },
      },
    });
    await queueRun(this.queue, this.deps.redis, { executionId: execution.id, userId, workClass });
    return execution.id;
  }

  async waitForFinal(id: string, seconds = 60) {
    for (let i = 0; i < seconds * 10; i++) {
      const row = await this.db.execution.findUniqueOrThrow({ where: { id } });
      if (!["queued", "running"].includes(row.status)) return row;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the execution ${id} never finished`);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
    await this.queue.close();
    for (const c of this.connections) c.disconnect();
  }

  private connection(): Redis {
    const c = createRedis(this.redisUrl);
    this.connections.push(c);
    return c;
  }
}

/** The tag a fake run was started with (the entry file's content). */
export function tagOf(run: { files: Array<{ content: string | Uint8Array }> }): string {
  return Buffer.from(run.files[0]!.content).toString();
}
