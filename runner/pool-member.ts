import type { Worker } from "bullmq";
import type { Logger } from "pino";

/**
 * What a runner tells the supervisor that started it (supervisor/runner-pool.ts),
 * and how it leaves without cutting a run.
 *
 * - Over the IPC channel, every second and whenever it changes: how many runs
 *   it is executing and for how long it has had none. The autoscaler drains
 *   only runners that are idle.
 * - On `{type: "sam:drain"}` it stops taking jobs and lets the ones it holds
 *   finish (BullMQ's worker.close() without force waits for active jobs and
 *   fetches no new one), then stops as on SIGTERM. Nothing is cut and nothing
 *   is lost: a job it never took stays in the queue for the other runners.
 * - On SIGTERM with SAM_RUNNER_DRAIN_MS > 0 (Kubernetes, compose), the same
 *   drain, bounded: runs still going after that are ended and retried elsewhere.
 */
export interface RunnerState {
  type: "sam:runner-state";
  active: number;
  idleMs: number;
  draining: boolean;
}

const REPORT_EVERY_MS = 1000;

export class RunnerActivity {
  private active = 0;
  private idleSince = Date.now();
  draining = false;
  onChange: () => void = () => undefined;

  /**
   * Counts a job in; call the returned function (once) when the job is done, however it ends: with false when
   * it did no work (deferred: its account at its running cap). Idle time runs from the end of the last job that
   * worked: an account's deferred runs, taken and put back every second, must not keep every runner "busy"
   * (never drained) while they wait for the account's own runs.
   */
  readonly jobStarted = (): ((worked?: boolean) => void) => {
    this.active++;
    this.onChange();
    let done = false;
    return (worked = true) => {
      if (done) return;
      done = true;
      this.active--;
      if (worked) this.idleSince = Date.now();
      this.onChange();
    };
  };

  state(): RunnerState {
    return { type: "sam:runner-state", active: this.active, idleMs: this.active > 0 ? 0 : Date.now() - this.idleSince, draining: this.draining };
  }
}

/** Reports to the supervisor and obeys its drain request; does nothing when the runner was not started by one. */
export function joinSupervisorPool(worker: Worker, activity: RunnerActivity, log: Logger): () => void {
  if (!process.send) return () => undefined;
  const report = () => {
    if (process.connected) process.send!(activity.state(), undefined, {}, () => undefined);
  };
  activity.onChange = report;
  report();
  const timer = setInterval(report, REPORT_EVERY_MS);
  timer.unref();
  const onMessage = (msg: { type?: string }) => {
    if (msg?.type !== "sam:drain" || activity.draining) return;
    activity.draining = true;
    report();
    log.info(activity.state(), "draining: taking no new run, finishing the ones in progress");
    void worker.close().then(
      () => {
        log.info("drained: no run in progress; stopping");
        process.kill(process.pid, "SIGTERM");
      },
      (err: Error) => {
        log.error({ err: err.message }, "draining failed; stopping");
        process.kill(process.pid, "SIGTERM");
      },
    );
  };
  process.on("message", onMessage);
  return () => {
    clearInterval(timer);
    process.off("message", onMessage);
  };
}

/** On SIGTERM: stop taking jobs and give the runs in progress up to `ms` to finish (0: end them at once). */
export async function drainBeforeStop(worker: Worker, activity: RunnerActivity, ms: number, log: Logger): Promise<void> {
  if (ms <= 0 || activity.state().active === 0) return;
  activity.draining = true;
  log.info({ ...activity.state(), drainMs: ms }, "stopping: taking no new run, letting the ones in progress finish");
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([worker.close().then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  clearTimeout(timer);
  if (!finished) log.warn(activity.state(), `runs still in progress after SAM_RUNNER_DRAIN_MS=${ms}; ending them (they are retried elsewhere)`);
}
