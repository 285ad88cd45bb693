import { Queue, type Job } from "bullmq";
import type { Redis } from "ioredis";
import { EXECUTION_QUEUE } from "../../lib/executions/queue";

/** How many runs wait for a runner, and for how long the oldest of them has. */
export interface QueueDepth {
  /** BullMQ's waiting plus prioritized jobs (a job with a priority waits in the prioritized set, not the list). */
  queued: number;
  oldestWaitMs: number;
}

// The prioritized set is ordered by priority, not age: its oldest job is looked for among
// this many at each end (the highest and the lowest class), which bounds the cost per tick.
const PRIORITIZED_SAMPLE = 50;

export class QueueDepthReader {
  private readonly queue: Queue;

  constructor(connection: Redis, queueName = EXECUTION_QUEUE) {
    this.queue = new Queue(queueName, { connection });
  }

  async read(now = Date.now()): Promise<QueueDepth> {
    const counts = await this.queue.getJobCounts("waiting", "prioritized");
    const queued = (counts.waiting ?? 0) + (counts.prioritized ?? 0);
    if (queued === 0) return { queued, oldestWaitMs: 0 };
    const candidates: Job[] = [
      // Lists are pushed at the head: ascending order gives the oldest first.
      ...(await this.queue.getJobs(["waiting"], 0, 0, true)),
      ...(counts.prioritized ? await this.queue.getJobs(["prioritized"], 0, PRIORITIZED_SAMPLE - 1, true) : []),
      ...(counts.prioritized && counts.prioritized > PRIORITIZED_SAMPLE ? await this.queue.getJobs(["prioritized"], 0, PRIORITIZED_SAMPLE - 1, false) : []),
    ];
    const oldest = Math.min(...candidates.filter(Boolean).map((j) => j.timestamp));
    return { queued, oldestWaitMs: Number.isFinite(oldest) ? Math.max(0, now - oldest) : 0 };
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
