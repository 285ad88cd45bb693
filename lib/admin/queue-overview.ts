import type { Job, Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Database } from "../db/client";
import { WORK_CLASSES } from "../executions/queue";
import { aliveInstances } from "../services/heartbeat";

/**
 * What the admin page shows about the execution queue, read from BullMQ,
 * the heartbeats and the autoscaler's log. Counts per state are BullMQ's own
 * (exact); counts per class come from reading the jobs themselves, at most
 * SCAN_PER_STATE per state (`sampled` says when a state held more).
 */
export const SCAN_PER_STATE = 2000;
/** Known work classes, in the order they are served; a job without one is "api". */
const CLASS_ORDER: readonly string[] = WORK_CLASSES;
const CLASS_STATES = ["waiting", "delayed", "active"] as const;
type ClassState = (typeof CLASS_STATES)[number];
export const AUTOSCALER_DECISIONS_KEY = "sam:autoscaler:decisions";
const RECENT = 20;

export interface AutoscalerDecision {
  at: string;
  action: "up" | "down" | "hold";
  runners: number;
  target: number;
  reason: string;
}

export interface QueueOverview {
  at: string;
  /** BullMQ's counts per state; `waiting` counts waiting and prioritized together. */
  counts: { waiting: number; prioritized: number; delayed: number; active: number; failed: number; completed: number };
  /** Jobs per work class and state (waiting includes prioritized). */
  byClass: Record<string, Record<ClassState, number>>;
  sampled: boolean;
  oldestWaiting: { executionId: string; since: string; seconds: number } | null;
  runners: Array<{ id: string; lastBeat: string; driver: string | null; concurrency: number | null; running: string[] }>;
  recentFailures: Array<{ executionId: string; reason: string; failedAt: string | null; attemptsMade: number }>;
  deadLetters: number;
  /** Newest first; empty when no autoscaler runs. */
  autoscaler: AutoscalerDecision[];
}

const classOf = (job: Job) => {
  const workClass = (job.data as { workClass?: unknown } | undefined)?.workClass;
  return typeof workClass === "string" && workClass ? workClass : "api";
};

export async function queueOverview(deps: { db: Database; redis: Redis; queue: Queue }): Promise<QueueOverview> {
  const { db, redis, queue } = deps;
  const [raw, waiting, prioritized, delayed, active, failed, runners, deadLetters, autoscaler] = await Promise.all([
    queue.getJobCounts("waiting", "prioritized", "delayed", "active", "failed", "completed"),
    queue.getJobs(["waiting"], 0, SCAN_PER_STATE - 1),
    queue.getJobs(["prioritized"], 0, SCAN_PER_STATE - 1),
    queue.getJobs(["delayed"], 0, SCAN_PER_STATE - 1),
    queue.getJobs(["active"], 0, SCAN_PER_STATE - 1),
    queue.getJobs(["failed"], 0, RECENT - 1),
    aliveInstances(redis, "runner"),
    db.deadLetter.count(),
    autoscalerDecisions(redis),
  ]);
  const counts = {
    waiting: (raw.waiting ?? 0) + (raw.prioritized ?? 0),
    prioritized: raw.prioritized ?? 0,
    delayed: raw.delayed ?? 0,
    active: raw.active ?? 0,
    failed: raw.failed ?? 0,
    completed: raw.completed ?? 0,
  };
  const byClass: QueueOverview["byClass"] = {};
  const add = (jobs: Job[], state: ClassState) => {
    for (const job of jobs.filter(Boolean)) {
      const c = classOf(job);
      byClass[c] ??= { waiting: 0, delayed: 0, active: 0 };
      byClass[c][state]++;
    }
  };
  for (const c of CLASS_ORDER) byClass[c] = { waiting: 0, delayed: 0, active: 0 };
  add([...waiting, ...prioritized], "waiting");
  add(delayed, "delayed");
  add(active, "active");
  const queued = [...waiting, ...prioritized].filter(Boolean);
  const oldest = queued.reduce<Job | undefined>((o, j) => (!o || j.timestamp < o.timestamp ? j : o), undefined);
  return {
    at: new Date().toISOString(),
    counts,
    byClass,
    sampled: [raw.waiting, raw.prioritized, raw.delayed, raw.active].some((n) => (n ?? 0) > SCAN_PER_STATE),
    oldestWaiting: oldest
      ? {
          executionId: oldest.id ?? "",
          since: new Date(oldest.timestamp).toISOString(),
          seconds: Math.max(0, Math.round((Date.now() - oldest.timestamp) / 1000)),
        }
      : null,
    runners: runners.map((r) => ({
      id: r.id,
      lastBeat: r.lastBeat,
      driver: typeof r.details.driver === "string" ? r.details.driver : null,
      concurrency: typeof r.details.concurrency === "number" ? r.details.concurrency : null,
      running: Array.isArray(r.details.running) ? r.details.running.filter((id): id is string => typeof id === "string") : [],
    })),
    recentFailures: failed.filter(Boolean).map((job) => ({
      executionId: job.id ?? "",
      reason: job.failedReason ?? "",
      failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
      attemptsMade: job.attemptsMade,
    })),
    deadLetters,
    autoscaler,
  };
}

/** The supervisor's recent scaling decisions (newest first); entries that are not such JSON are left out. */
export async function autoscalerDecisions(redis: Redis, count = RECENT): Promise<AutoscalerDecision[]> {
  const entries = await redis.lrange(AUTOSCALER_DECISIONS_KEY, 0, count - 1);
  return entries.flatMap((entry) => {
    try {
      const d = JSON.parse(entry) as Partial<AutoscalerDecision>;
      if (typeof d.at !== "string" || !["up", "down", "hold"].includes(d.action as string)) return [];
      return [{ at: d.at, action: d.action!, runners: Number(d.runners), target: Number(d.target), reason: String(d.reason ?? "") }];
    } catch {
      return [];
    }
  });
}
