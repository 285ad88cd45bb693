import { describe, expect, it } from "vitest";
import { decide, type RunnerView, type ScalingPolicy } from "../../supervisor/autoscale/decide";

/** The autoscaler's policy alone: no Redis, no processes (see supervisor/autoscale/decide.ts). */
const policy: ScalingPolicy = { min: 1, max: 4, concurrency: 2, upAfterWaitMs: 5000, upCooldownMs: 10_000, downAfterIdleMs: 60_000 };
const now = 1_000_000;

function runner(id: string, over: Partial<RunnerView> = {}): RunnerView {
  return { id, ready: true, active: 0, idleMs: 0, draining: false, ...over };
}

describe("the autoscaling decision", () => {
  it("starts runners up to the minimum whatever the queue", () => {
    const d = decide({ now, queued: 0, oldestWaitMs: 0, runners: [] }, { ...policy, min: 2 });
    expect(d).toMatchObject({ action: "up", rule: "min", runners: 0, target: 2 });
    expect(d.reason).toContain("SAM_RUNNERS_MIN=2");
  });

  it("grows to enough runners for every queued and running run, at once", () => {
    const d = decide({ now, queued: 5, oldestWaitMs: 100, runners: [runner("a", { active: 2, pinned: true })] }, policy);
    // (5 queued + 2 running) / 2 per runner = 4 runners.
    expect(d).toMatchObject({ action: "up", rule: "depth", runners: 1, target: 4 });
  });

  it("never goes above the maximum", () => {
    const d = decide({ now, queued: 500, oldestWaitMs: 100, runners: [runner("a", { active: 2 })] }, policy);
    expect(d).toMatchObject({ action: "up", target: 4 });
    const atMax = decide({ now, queued: 500, oldestWaitMs: 60_000, runners: ["a", "b", "c", "d"].map((id) => runner(id, { active: 2 })) }, policy);
    expect(atMax).toMatchObject({ action: "hold", runners: 4, target: 4 });
    expect(atMax.reason).toContain("SAM_RUNNERS_MAX=4");
  });

  it("adds a runner when the oldest run has waited too long even if depth alone does not ask for one", () => {
    const runners = [runner("a", { active: 2 }), runner("b", { active: 1 })];
    // (1 queued + 3 running) / 2 = 2 runners: enough by depth...
    expect(decide({ now, queued: 1, oldestWaitMs: 1000, runners }, policy)).toMatchObject({ action: "hold", target: 2 });
    // ...but the one queued run has waited 6 s.
    const slow = decide({ now, queued: 1, oldestWaitMs: 6000, runners }, policy);
    expect(slow).toMatchObject({ action: "up", rule: "wait", runners: 2, target: 3 });
    expect(slow.reason).toContain("oldest run has waited");
  });

  it("holds while a new runner is still starting, and during the cooldown after a scale-up", () => {
    const starting = decide({ now, queued: 9, oldestWaitMs: 100, runners: [runner("a", { active: 2 }), runner("b", { ready: false })] }, policy);
    expect(starting).toMatchObject({ action: "hold", rule: "starting", target: 2 });
    expect(starting.reason).toContain("starting");
    const cooling = decide(
      { now, queued: 9, oldestWaitMs: 100, lastUpAt: now - 3000, runners: [runner("a", { active: 2 }), runner("b", { active: 2 })] },
      policy,
    );
    expect(cooling).toMatchObject({ action: "hold", rule: "cooldown", target: 2 });
    expect(cooling.reason).toContain("cooling down");
    const after = decide(
      { now, queued: 9, oldestWaitMs: 100, lastUpAt: now - 11_000, runners: [runner("a", { active: 2 }), runner("b", { active: 2 })] },
      policy,
    );
    expect(after).toMatchObject({ action: "up", target: 4 });
  });

  it("drains only runners idle long enough, never a busy, starting or pinned one, and not below the minimum", () => {
    const runners = [
      runner("pinned", { pinned: true, idleMs: 120_000 }),
      runner("busy", { active: 1 }),
      runner("idle-long", { idleMs: 90_000 }),
      runner("idle-short", { idleMs: 10_000 }),
      runner("starting", { ready: false, idleMs: 120_000 }),
    ];
    const d = decide({ now, queued: 0, oldestWaitMs: 0, runners }, { ...policy, max: 8 });
    expect(d).toMatchObject({ action: "down", rule: "idle", runners: 5, target: 4, drain: ["idle-long"] });

    const allIdle = ["a", "b", "c"].map((id, i) => runner(id, { idleMs: 70_000 + i }));
    expect(decide({ now, queued: 0, oldestWaitMs: 0, runners: allIdle }, { ...policy, min: 2 })).toMatchObject({ action: "down", target: 2, drain: ["c"] });
  });

  it("does not drain while runs are queued, even idle runners", () => {
    const runners = [runner("a", { active: 2 }), runner("b", { active: 2 }), runner("c", { idleMs: 90_000 })];
    // 1 queued + 4 running over 2 per runner = 3: all three are needed.
    expect(decide({ now, queued: 1, oldestWaitMs: 100, runners }, policy)).toMatchObject({ action: "hold", target: 3, drain: [] });
  });

  it("leaves draining runners out of the count", () => {
    const runners = [runner("a", { pinned: true }), runner("b", { draining: true, active: 1 })];
    expect(decide({ now, queued: 0, oldestWaitMs: 0, runners }, policy)).toMatchObject({ action: "hold", runners: 1, target: 1 });
    // One queued run and the one live runner has a free slot: enough.
    expect(decide({ now, queued: 1, oldestWaitMs: 0, runners }, policy)).toMatchObject({ action: "hold", runners: 1 });
    expect(decide({ now, queued: 3, oldestWaitMs: 0, runners }, policy)).toMatchObject({ action: "up", runners: 1, target: 2 });
  });

  it("brings the count down to a lowered maximum by draining idle runners first", () => {
    const runners = [runner("a", { active: 1 }), runner("b", { idleMs: 5 }), runner("c", { active: 1 })];
    expect(decide({ now, queued: 0, oldestWaitMs: 0, runners }, { ...policy, max: 2 })).toMatchObject({ action: "down", rule: "max", target: 2, drain: ["b"] });
    const busy = runners.map((r) => ({ ...r, active: 1 }));
    const wait = decide({ now, queued: 0, oldestWaitMs: 0, runners: busy }, { ...policy, max: 2 });
    expect(wait).toMatchObject({ action: "hold", target: 3 });
    expect(wait.reason).toContain("waiting for a runner to become idle");
  });
});
