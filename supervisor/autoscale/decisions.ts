import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ScalingDecision } from "./decide";

/**
 * Where the autoscaler's decisions go for the admin page: JSON entries
 * `{at, action, runners, target, reason, rule}`, newest first, the last
 * DECISIONS_KEPT only. Every scale-up and scale-down is written; a hold only
 * when it says something new (another rule or other counts), so a quiet queue
 * does not push the real decisions out of the list.
 */
export const DECISIONS_KEY = "sam:autoscaler:decisions";
export const DECISIONS_KEPT = 100;

export interface RecordedDecision {
  at: string;
  action: ScalingDecision["action"];
  runners: number;
  target: number;
  reason: string;
  rule: ScalingDecision["rule"];
}

export class DecisionLog {
  private last = "";

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
    private readonly key = DECISIONS_KEY,
  ) {}

  /** Logs and stores `d` if it is worth telling; returns whether it was. */
  async record(d: ScalingDecision, now: Date): Promise<boolean> {
    const sameAs = `${d.action}|${d.rule}|${d.runners}|${d.target}`;
    if (d.action === "hold" && sameAs === this.last) return false;
    this.last = sameAs;
    const entry: RecordedDecision = { at: now.toISOString(), action: d.action, runners: d.runners, target: d.target, reason: d.reason, rule: d.rule };
    this.log.info(
      { autoscale: { ...entry, drain: d.drain.length ? d.drain : undefined } },
      `autoscale ${d.action}: ${d.runners} -> ${d.target} runner(s); ${d.reason}`,
    );
    try {
      await this.redis
        .multi()
        .lpush(this.key, JSON.stringify(entry))
        .ltrim(this.key, 0, DECISIONS_KEPT - 1)
        .exec();
    } catch (err) {
      // The decision is carried out regardless; only the admin page's view of it is missing.
      this.log.warn({ err: (err as Error).message }, "could not store the autoscaling decision in Redis");
    }
    return true;
  }
}
