import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import {
  CLASS_PRIORITY_BASE,
  DEFAULT_WORK_CLASS,
  FAIR_SHARE_FORGET_AFTER_MS,
  INTERACTIVE_WAITING_PER_ACCOUNT,
  PRIORITY_BAND,
  WORK_CLASSES,
  type ExecutionJob,
  type WorkClass,
} from "./queue";

/**
 * Who runs first. BullMQ serves prioritized jobs lowest number first, and in
 * the order they were queued within one number. A run's priority is
 *
 *   CLASS_PRIORITY_BASE[its class] + (its account's runs of that class queued before it)
 *
 * so every class has its own band (an interactive run always goes before any
 * api run, which goes before any batch run), and within a class an account's
 * 1st queued run goes before anyone's 2nd, its 2nd before anyone's 3rd: an
 * account that queues 300 runs does not hold back another's single run, which
 * joins the front of the line, among the other accounts' first runs.
 *
 * "Queued before it" counts runs still waiting, not yet taken by a runner:
 * each (queue, class, account) has a Redis sorted set of its waiting runs'
 * ids (FairShare). Entering and leaving are idempotent (ZADD NX, ZREM), so a
 * run taken twice (a deferral, a retry) or cancelled after it was taken
 * changes nothing; an id nobody removed (a process died in between) is
 * forgotten after FAIR_SHARE_FORGET_AFTER_MS, and the set expires when idle.
 * Such drift only ever costs the same account a little place in its own class.
 *
 * BullMQ Pro's groups would rotate accounts exactly; this gets the same order
 * for a backlog built up ahead of the runners, with the open-source BullMQ,
 * and a job keeps its priority when it is delayed and comes back.
 */

/** A job's class: its own, or DEFAULT_WORK_CLASS for jobs queued by older code (or holding anything else). */
export function workClassOf(job: Pick<ExecutionJob, "workClass">): WorkClass {
  return job.workClass && (WORK_CLASSES as readonly string[]).includes(job.workClass) ? job.workClass : DEFAULT_WORK_CLASS;
}

/**
 * The BullMQ priority of a run of this class whose account has `queuedBefore`
 * runs of the class waiting ahead of it. Only an account's first
 * INTERACTIVE_WAITING_PER_ACCOUNT waiting room runs are in the interactive
 * band; the others queue in the api band, so no account can hold the top band.
 */
export function jobPriority(workClass: WorkClass, queuedBefore: number): number {
  const place = Math.min(Math.max(0, Math.floor(queuedBefore)), PRIORITY_BAND - 1);
  const band = workClass === "interactive" && place >= INTERACTIVE_WAITING_PER_ACCOUNT ? "api" : workClass;
  return CLASS_PRIORITY_BASE[band] + place;
}

/** The class a priority belongs to (for an operator's view and tests); undefined for 0 (no priority: older jobs). */
export function classOfPriority(priority: number): WorkClass | undefined {
  return WORK_CLASSES.find((c) => priority >= CLASS_PRIORITY_BASE[c] && priority < CLASS_PRIORITY_BASE[c] + PRIORITY_BAND);
}

/** Each account's runs waiting in one queue, per class, in Redis (see above). */
export class FairShare {
  constructor(
    private readonly redis: Redis,
    private readonly queueName: string,
  ) {}

  key(workClass: WorkClass, userId: string): string {
    return `sam:fair:${this.queueName}:${workClass}:${userId}`;
  }

  /** Counts the run as waiting; returns how many of its account's runs of the class wait before it. */
  async enter(userId: string, workClass: WorkClass, executionId: string, now = Date.now()): Promise<number> {
    const key = this.key(workClass, userId);
    const replies = await this.redis
      .multi()
      .zremrangebyscore(key, "-inf", now - FAIR_SHARE_FORGET_AFTER_MS)
      .zadd(key, "NX", now, executionId)
      .zrank(key, executionId)
      .pexpire(key, FAIR_SHARE_FORGET_AFTER_MS)
      .exec();
    const [err, rank] = replies?.[2] ?? [new Error("the fairness count was not answered")];
    if (err) throw err;
    return Number(rank ?? 0);
  }

  /** The run no longer waits (taken by a runner, cancelled, removed): idempotent, any class. */
  async leave(userId: string, executionId: string): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const c of WORK_CLASSES) pipeline.zrem(this.key(c, userId), executionId);
    const replies = await pipeline.exec();
    const failed = replies?.find(([err]) => err);
    if (failed) throw failed[0];
  }

  /** How many of the account's runs of the class wait now (for tests and an operator's view). */
  async waiting(userId: string, workClass: WorkClass): Promise<number> {
    return this.redis.zcard(this.key(workClass, userId));
  }
}

/**
 * Queues one recorded run with its class's priority and its account's place
 * in the class (the only way runs should enter the queue). Returns the priority.
 */
export async function queueRun(queue: Queue<ExecutionJob>, redis: Redis, run: { executionId: string; userId: string; workClass: WorkClass }): Promise<number> {
  const fair = new FairShare(redis, queue.name);
  const priority = jobPriority(run.workClass, await fair.enter(run.userId, run.workClass, run.executionId));
  try {
    await queue.add("run", { executionId: run.executionId, userId: run.userId, workClass: run.workClass }, { jobId: run.executionId, priority });
  } catch (err) {
    await fair.leave(run.userId, run.executionId).catch(() => undefined);
    throw err;
  }
  return priority;
}
