/**
 * Where a run's time went inside the driver (SandboxOutcome.stages): each
 * stage lasts from its start until the next one starts.
 */
export class StageTimer {
  private readonly done: Array<{ stage: string; ms: number }> = [];
  private current: string;
  private since = performance.now();

  constructor(first: string) {
    this.current = first;
  }

  /** Ends the current stage and starts `stage` (nothing if it is already the current one or was passed). */
  next(stage: string): void {
    if (stage === this.current || this.done.some((d) => d.stage === stage)) return;
    const now = performance.now();
    this.done.push({ stage: this.current, ms: Math.round((now - this.since) * 10) / 10 });
    this.current = stage;
    this.since = now;
  }

  /** The stages so far, the current one ended now. */
  end(): Array<{ stage: string; ms: number }> {
    const now = performance.now();
    return [...this.done, { stage: this.current, ms: Math.round((now - this.since) * 10) / 10 }];
  }
}
