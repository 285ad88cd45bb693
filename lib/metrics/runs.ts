import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** Seconds: runs last from tens of milliseconds to minutes (the wall-time limit plus compilation). */
const RUN_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];
/** Queue waits: from a few milliseconds on an idle queue to minutes behind a backlog. */
const WAIT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** A sandbox starts in tens of milliseconds (crun) to about a second (Docker through Podman). */
const START_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * What a runner process records about the runs it executes. Labels are
 * bounded: `language` is a language of the catalogue this runner verified (a
 * job for any other is refused before it is timed), `status` one of
 * EXECUTION_STATUSES, `driver` "oci" or "docker".
 */
export class RunMetrics {
  private readonly queueWait: Histogram<"language">;
  private readonly duration: Histogram<"language" | "status">;
  private readonly sandboxStart: Histogram<"driver">;
  private readonly inFlight: Gauge;
  private readonly failedAttempts: Counter<"language">;

  constructor(
    registry: Registry,
    private readonly driver: string,
  ) {
    const registers = [registry];
    this.queueWait = new Histogram({
      name: "sam_queue_wait_seconds",
      help: "Time from a run being queued to a runner starting its first attempt, by language.",
      labelNames: ["language"],
      buckets: WAIT_BUCKETS,
      registers,
    });
    this.duration = new Histogram({
      name: "sam_run_duration_seconds",
      help: "Time of one attempt of a run on a runner, from taking it to its program's result, by language and status.",
      labelNames: ["language", "status"],
      buckets: RUN_BUCKETS,
      registers,
    });
    this.sandboxStart = new Histogram({
      name: "sam_sandbox_start_seconds",
      help: "Time from asking the sandbox driver for a sandbox to its process running, by driver.",
      labelNames: ["driver"],
      buckets: START_BUCKETS,
      registers,
    });
    this.inFlight = new Gauge({ name: "sam_runs_in_flight", help: "Runs this runner is executing now.", registers });
    this.failedAttempts = new Counter({
      name: "sam_run_attempts_failed_total",
      help: "Attempts of runs that failed for reasons of the infrastructure (the sandbox, the runner shutting down); each is retried or ends as internal_error.",
      labelNames: ["language"],
      registers,
    });
    const runners = new Gauge({
      name: "sam_runners",
      help: "Runner processes, by sandbox driver: 1 per runner (sum across runners).",
      labelNames: ["driver"],
      registers,
    });
    runners.set({ driver }, 1);
  }

  /**
   * A run's attempt begins (its row claimed): the queue wait is recorded for
   * the first attempt only (a retry's wait includes the failed attempt).
   * Returns what to call when the attempt ends: with the run's status when a
   * result was stored, with nothing when the attempt failed.
   */
  attemptStarted(run: { language: string; queuedAt: Date; attempt: number }): (status?: string) => void {
    if (run.attempt === 1) this.queueWait.observe({ language: run.language }, Math.max(0, (Date.now() - run.queuedAt.getTime()) / 1000));
    this.inFlight.inc();
    const end = this.duration.startTimer({ language: run.language });
    let ended = false;
    return (status) => {
      if (ended) return;
      ended = true;
      this.inFlight.dec();
      if (status) end({ status });
      else this.failedAttempts.inc({ language: run.language });
    };
  }

  /** The sandbox asked for at `askedAt` (performance.now()) is running. */
  sandboxStarted(askedAt: number): void {
    this.sandboxStart.observe({ driver: this.driver }, (performance.now() - askedAt) / 1000);
  }
}
