import { UnrecoverableError } from "bullmq";
import type { Logger } from "pino";

/**
 * The runner's last line of defence: ends any run still going past its time
 * limits plus a grace period, whatever state it is in: its container still
 * being created, a kill that hangs, a driver whose `done` never comes. The
 * sandbox's own bounds (run-clock.ts) act first; this one holds even when the
 * sandbox itself misbehaves, so no run can keep a runner slot for ever.
 *
 * When a run is overdue its work is aborted: the executor kills the run (the
 * driver's kill includes the run's cgroup) and ends at once, with
 * time_limit_exceeded and the output so far if the program had started. If it
 * had not, or the executor does not end within `settleMs` either, the
 * execution ends as internal_error with a plain reason, and is not retried:
 * exactly one result, and the slot is free.
 */
export interface WatchdogOptions {
  /** Beyond the run's compile and wall limits: time to create and remove the container (must exceed run-clock's START_ALLOWANCE_MS). */
  graceMs: number;
  log: Logger;
  /** How long an aborted run may take to end before it is given up. */
  settleMs?: number;
}

/** The reason a run was aborted: it is past its deadline. */
export class RunOverdueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunOverdueError";
  }
}

export interface GuardedRun {
  executionId: string;
  /** From the run's limits (see budgetMs). */
  budgetMs: number;
  /** Ends the execution as internal_error with this reason. */
  giveUp(reason: string): Promise<unknown>;
}

const OVERDUE = Symbol("overdue");
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Watchdog {
  constructor(private readonly opts: WatchdogOptions) {}

  /** The longest a run may take, from the moment it is handed to the sandbox. */
  budgetMs(wallTimeMs: number, compileSeconds: number): number {
    return compileSeconds * 1000 + wallTimeMs + this.opts.graceMs;
  }

  async guard<T>(run: GuardedRun, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const started = Date.now();
    const running = work(controller.signal);
    let timer: NodeJS.Timeout | undefined;
    const overdue = new Promise<typeof OVERDUE>((resolve) => (timer = setTimeout(() => resolve(OVERDUE), run.budgetMs)));
    try {
      const first = await Promise.race([running, overdue]);
      if (first !== OVERDUE) return first;
    } finally {
      clearTimeout(timer);
    }

    const seconds = (ms: number) => Math.round(ms / 100) / 10;
    const reason =
      `The run was stopped by the runner's watchdog: its sandbox was still busy ${seconds(Date.now() - started)} s after the run began, ` +
      `past its time limits and a ${seconds(this.opts.graceMs)} s grace. This is a fault of the sandbox, not of the program.`;
    this.opts.log.error({ executionId: run.executionId, budgetMs: run.budgetMs }, "run overdue: the watchdog ends it");
    controller.abort(new RunOverdueError(reason));
    const settled = await Promise.race([
      running.then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      ),
      sleep(this.opts.settleMs ?? 10_000).then(() => undefined),
    ]);
    if (settled && "value" in settled) return settled.value;
    if (!settled) running.catch(() => undefined);
    if (settled && !(settled.error instanceof RunOverdueError)) {
      this.opts.log.warn({ executionId: run.executionId, err: (settled.error as Error)?.message }, "the overdue run failed as it was ended");
    }
    await run.giveUp(reason);
    // Not retried: the job ends here, with the result just written.
    throw new UnrecoverableError(reason);
  }
}
