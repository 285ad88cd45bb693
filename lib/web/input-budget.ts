import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Database } from "../db/client";

/**
 * What one account's runs may store of their input (files and stdin) in
 * PostgreSQL. A run may carry up to 1 MiB of files and 1 MiB of stdin, and
 * runs were kept SAM_EXECUTION_RETENTION_DAYS with their input, so one account
 * could add 125 MB a minute for 30 days. Two bounds, the input's counterpart
 * of the output budget (lib/executions/output-budget.ts: the same fixed window
 * per account, the same kind of 429):
 *  - a budget: SAM_INPUT_BUDGET_MB per SAM_INPUT_BUDGET_WINDOW_SECONDS, taken
 *    when a run is recorded; beyond it 429 input_budget_exhausted;
 *  - a short life: a run's input is only needed to run it (the API never shows
 *    it back), so once a run has been finished for one window its files'
 *    contents and its stdin are dropped (names, output and timings stay).
 * Together an account holds at most about two windows' budget of input,
 * whatever it does (before: budget-free for 30 days).
 */
export interface InputBudgetSettings {
  bytes: number;
  windowSeconds: number;
}

export class InputBudget {
  private readonly limiter: RateLimiterRedis;

  constructor(
    private readonly redis: Redis,
    readonly settings: InputBudgetSettings,
  ) {
    this.limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: "sam:budget:input", points: settings.bytes, duration: settings.windowSeconds });
  }

  /** Takes `bytes` from the account's budget: 0 when they fit, else the seconds until its window ends (nothing is taken then). */
  async take(userId: string, bytes: number): Promise<number> {
    if (bytes <= 0) return 0;
    try {
      await this.limiter.consume(userId, bytes);
      return 0;
    } catch (err) {
      if (!isRejection(err)) throw err;
      // A run that does not fit takes nothing: a smaller one may still fit.
      await this.limiter.reward(userId, bytes).catch(() => undefined);
      return Math.max(1, Math.ceil(err.msBeforeNext / 1000));
    }
  }

  /** Gives back what a run took when it could not be recorded after all. */
  async giveBack(userId: string, bytes: number): Promise<void> {
    if (bytes > 0) await this.limiter.reward(userId, bytes).catch(() => undefined);
  }

  /**
   * Drops the stored input of the account's runs that finished more than a
   * window ago. Cheap enough to call on every run: it looks only at the
   * account's runs whose input is still there (an index), and does the work
   * at most once per minute (or per window, if shorter) per account.
   */
  async dropOldInputs(db: Database, userId: string): Promise<number> {
    const every = Math.min(60, this.settings.windowSeconds);
    if ((await this.redis.set(`sam:inputs-dropped:${userId}`, "1", "EX", every, "NX")) !== "OK") return 0;
    const before = new Date(Date.now() - this.settings.windowSeconds * 1000);
    const stillOld = { userId, inputsDroppedAt: null, finishedAt: { lt: before } };
    return db.$transaction(async (tx) => {
      const old = await tx.execution.findMany({ where: stillOld, select: { id: true }, take: 1000 });
      if (old.length === 0) return 0;
      // The rows are marked first, each only if still finished long ago: an administrator's replay may have
      // queued one again meanwhile (lib/admin/dead-letters.ts), and its input must stay. The marked rows
      // stay locked until the files are blanked, so a replay waits and then sees the mark.
      const dropped = await tx.execution.updateManyAndReturn({
        where: { id: { in: old.map((e) => e.id) }, ...stillOld },
        data: { stdin: new Uint8Array(), inputsDroppedAt: new Date() },
        select: { id: true },
      });
      if (dropped.length === 0) return 0;
      await tx.executionFile.updateMany({ where: { executionId: { in: dropped.map((e) => e.id) } }, data: { content: new Uint8Array() } });
      return dropped.length;
    });
  }
}

function isRejection(err: unknown): err is RateLimiterRes {
  return err instanceof RateLimiterRes || (typeof err === "object" && err !== null && typeof (err as RateLimiterRes).msBeforeNext === "number");
}
