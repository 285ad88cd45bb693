import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { RunnerPool } from "../runner-pool";
import { decide, type ScalingPolicy } from "./decide";
import { DecisionLog } from "./decisions";
import { QueueDepthReader } from "./queue-depth";

export interface AutoscalerOptions {
  redis: Redis;
  pool: RunnerPool;
  policy: ScalingPolicy;
  intervalMs: number;
  log: Logger;
  queueName?: string;
}

/**
 * Every `intervalMs`: reads the queue, asks decide() and carries out its
 * decision on the pool (start runners, or drain idle ones), and records it
 * (pino and Redis, see decisions.ts). A tick that fails (Redis restarting)
 * is logged and the next one tries again; nothing is scaled on a guess.
 */
export class Autoscaler {
  private readonly depth: QueueDepthReader;
  private readonly decisions: DecisionLog;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> = Promise.resolve();
  private lastUpAt: number | undefined;
  private stopped = false;
  private failing = false;

  constructor(private readonly opts: AutoscalerOptions) {
    this.depth = new QueueDepthReader(opts.redis, opts.queueName);
    this.decisions = new DecisionLog(opts.redis, opts.log);
  }

  start(): void {
    const loop = () => {
      if (this.stopped) return;
      this.current = this.tick().finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.opts.intervalMs);
      });
    };
    loop();
  }

  private async tick(): Promise<void> {
    try {
      const now = Date.now();
      const { queued, oldestWaitMs } = await this.depth.read(now);
      const decision = decide({ now, queued, oldestWaitMs, runners: this.opts.pool.views(), lastUpAt: this.lastUpAt }, this.opts.policy);
      await this.decisions.record(decision, new Date(now));
      if (this.stopped) return;
      if (decision.action === "up") {
        this.lastUpAt = now;
        await this.opts.pool.add(decision.target - decision.runners);
      } else if (decision.action === "down") {
        this.opts.pool.drain(decision.drain);
      }
      if (this.failing) this.opts.log.info("autoscaler: working again");
      this.failing = false;
    } catch (err) {
      // Redis restarting, or a runner that could not be started: the next round tries again.
      if (!this.failing) this.opts.log.warn({ err: (err as Error).message }, "autoscaler: this round failed; keeping the runners as they are");
      this.failing = true;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
    await this.depth.close().catch(() => undefined);
  }
}
