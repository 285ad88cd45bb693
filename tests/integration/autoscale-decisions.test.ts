import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createRedis } from "../../lib/redis/connection";
import type { ScalingDecision } from "../../supervisor/autoscale/decide";
import { DECISIONS_KEPT, DecisionLog } from "../../supervisor/autoscale/decisions";

/**
 * The autoscaler's decisions as the admin page reads them from Redis (real
 * Redis, a key of its own): newest first, the contract's fields, at most
 * DECISIONS_KEPT, and a repeated hold written once.
 */
const redis = createRedis(inject("redisUrl"));
const key = `test:autoscaler:decisions:${randomBytes(6).toString("hex")}`;
afterAll(async () => {
  await redis.del(key);
  redis.disconnect();
});

const decision = (over: Partial<ScalingDecision>): ScalingDecision => ({
  action: "hold",
  rule: "enough",
  runners: 1,
  target: 1,
  reason: "0 queued, 0 running",
  drain: [],
  ...over,
});

describe("the autoscaler's decision log", () => {
  it("stores every change newest first with the contract's fields, a repeated hold once, and keeps the last 100", async () => {
    const log = new DecisionLog(redis, pino({ level: "silent" }), key);
    const at = new Date("2026-11-27T10:00:00.000Z");
    expect(await log.record(decision({}), at)).toBe(true);
    // Same rule and counts, other numbers in the reason: not written again.
    expect(await log.record(decision({ reason: "0 queued, 0 running, later" }), at)).toBe(false);
    expect(await log.record(decision({ action: "up", rule: "depth", target: 3, reason: "6 queued" }), at)).toBe(true);
    expect(await log.record(decision({ action: "down", rule: "idle", runners: 3, target: 2, drain: ["runner-3"] }), at)).toBe(true);
    // A hold after a change is news again.
    expect(await log.record(decision({}), at)).toBe(true);

    const entries = (await redis.lrange(key, 0, -1)).map((e) => JSON.parse(e));
    expect(entries.map((e) => e.action)).toEqual(["hold", "down", "up", "hold"]);
    expect(entries[2]).toEqual({ at: "2026-11-27T10:00:00.000Z", action: "up", runners: 1, target: 3, reason: "6 queued", rule: "depth" });

    for (let i = 0; i < DECISIONS_KEPT + 20; i++) await log.record(decision({ action: "up", target: i }), at);
    expect(await redis.llen(key)).toBe(DECISIONS_KEPT);
    expect(JSON.parse((await redis.lindex(key, 0))!).target).toBe(DECISIONS_KEPT + 19);
  });
});
