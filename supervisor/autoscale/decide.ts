/**
 * The autoscaler's policy for one machine, as a pure function: what it sees
 * (queue depth, the oldest run's wait, the runner processes and what each is
 * doing, the settings, when it last scaled) in, one decision out. No clock,
 * no Redis, no processes: supervisor/autoscale/autoscaler.ts gathers the inputs
 * and carries the decision out; tests/unit/autoscale-decide.test.ts covers it.
 *
 * The policy:
 *  - never fewer than `min` live runners, never more than `max`;
 *  - wanted runners = ceil((queued + running) / concurrency): enough slots for
 *    every run waiting or running; and one more than now when the oldest queued
 *    run has waited `upAfterWaitMs` (depth alone may not show a slow queue);
 *  - up at once to the wanted count, then hold while a new runner is still
 *    starting or for `upCooldownMs`, so a burst does not start runners twice;
 *  - down only by draining runners that are idle (no run) and have been for
 *    `downAfterIdleMs`, while nothing is queued; a pinned runner (the one the
 *    supervisor keeps in any case) is never drained. A draining runner takes no
 *    new run, finishes the ones it has (none is cut), and no longer counts.
 */

export interface RunnerView {
  id: string;
  /** Answered its health check: its sandbox driver and languages are ready. */
  ready: boolean;
  /** Runs it is executing now. */
  active: number;
  /** How long it has had no run, in ms (0 while it has one). */
  idleMs: number;
  /** Asked to finish its runs and stop: takes no new run. */
  draining: boolean;
  /** Never drained (the supervisor's first runner, restarted if it crashes). */
  pinned?: boolean;
}

export interface ScalingPolicy {
  min: number;
  max: number;
  /** Runs one runner executes at once (SAM_RUNNER_CONCURRENCY). */
  concurrency: number;
  upAfterWaitMs: number;
  upCooldownMs: number;
  downAfterIdleMs: number;
}

export interface ScalingInput {
  now: number;
  /** Runs waiting for a runner: BullMQ's waiting plus prioritized. */
  queued: number;
  /** How long the oldest of them has waited, in ms (0 when none). */
  oldestWaitMs: number;
  runners: RunnerView[];
  /** When the autoscaler last started runners (epoch ms), if ever. */
  lastUpAt?: number;
}

export type ScalingAction = "up" | "down" | "hold";
/** Which part of the policy decided: stable words, so a repeated hold can be told from a new one. */
export type ScalingRule = "min" | "depth" | "wait" | "starting" | "cooldown" | "idle" | "max" | "enough" | "busy";

export interface ScalingDecision {
  action: ScalingAction;
  /** Live (not draining) runners now. */
  runners: number;
  /** Live runners after this decision. */
  target: number;
  reason: string;
  rule: ScalingRule;
  /** Runners to drain (action "down" only). */
  drain: string[];
}

export function decide(input: ScalingInput, policy: ScalingPolicy): ScalingDecision {
  const live = input.runners.filter((r) => !r.draining);
  const n = live.length;
  const running = live.reduce((sum, r) => sum + r.active, 0);
  const decision = (action: ScalingAction, rule: ScalingRule, target: number, reason: string, drain: string[] = []): ScalingDecision => ({
    action,
    rule,
    runners: n,
    target,
    reason,
    drain,
  });

  if (n < policy.min) return decision("up", "min", policy.min, `${n} runner(s) is below SAM_RUNNERS_MIN=${policy.min}`);

  const byDepth = Math.ceil((input.queued + running) / policy.concurrency);
  const slow = input.queued > 0 && input.oldestWaitMs >= policy.upAfterWaitMs;
  const wanted = clamp(slow ? Math.max(byDepth, n + 1) : byDepth, policy.min, policy.max);
  const demand = `${input.queued} queued, ${running} running, oldest wait ${Math.round(input.oldestWaitMs / 1000)} s`;

  if (wanted > n) {
    const starting = live.filter((r) => !r.ready).length;
    if (starting > 0) return decision("hold", "starting", n, `${demand}: waiting for ${starting} starting runner(s) before adding more`);
    if (input.lastUpAt !== undefined && input.now - input.lastUpAt < policy.upCooldownMs) {
      return decision("hold", "cooldown", n, `${demand}: cooling down after the last scale-up`);
    }
    const why =
      slow && wanted > byDepth
        ? `the oldest run has waited over ${Math.round(policy.upAfterWaitMs / 1000)} s`
        : `${wanted} runner(s) needed at ${policy.concurrency} run(s) each`;
    return decision("up", slow && wanted > byDepth ? "wait" : "depth", wanted, `${demand}: ${why}`);
  }

  if (n > policy.max || (wanted < n && input.queued === 0)) {
    const surplus = n - Math.max(wanted, policy.min);
    const idle = live
      .filter((r) => !r.pinned && r.ready && r.active === 0 && (n > policy.max || r.idleMs >= policy.downAfterIdleMs))
      .sort((a, b) => b.idleMs - a.idleMs)
      .slice(0, surplus)
      .map((r) => r.id);
    if (idle.length > 0) {
      const why =
        n > policy.max ? `above SAM_RUNNERS_MAX=${policy.max}` : `${idle.length} runner(s) idle for ${Math.round(policy.downAfterIdleMs / 1000)} s or more`;
      return decision("down", n > policy.max ? "max" : "idle", n - idle.length, `${demand}: ${why}`, idle);
    }
    if (n > policy.max) return decision("hold", "max", n, `${demand}: above SAM_RUNNERS_MAX=${policy.max}, waiting for a runner to become idle`);
  }

  if (wanted === n) {
    const limit = n === policy.max && byDepth > n ? ` (at SAM_RUNNERS_MAX=${policy.max})` : "";
    return decision("hold", "enough", n, `${demand}: ${n} runner(s) are enough${limit}`);
  }
  return decision("hold", "busy", n, `${demand}: ${n} runner(s); a busy or recently busy runner is never drained`);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
