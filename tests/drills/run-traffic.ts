import type { Redis } from "ioredis";
import type { Database } from "../../lib/db/client";
import { eventsKey } from "../../lib/executions/queue";
import { api } from "../support/api";
import { eventually, sleep } from "./drill-stack";

/** A run that takes a while (so a fault lands while runs are running) and says which run it is. */
export const runBody = (n: number, seconds: number) => ({
  language: "python",
  files: [{ name: "main.py", content: `import time\ntime.sleep(${seconds})\nprint("run ${n}")\n` }],
});

export interface TrafficFigures {
  /** Runs the API accepted (202). */
  submitted: number;
  /** Submissions refused (an error status, or no answer): the client knows to try again. */
  refused: number;
  refusedBy: Record<string, number>;
  /** Accepted runs that finished with their own output, once. */
  results: number;
  /** Accepted runs with no result in the end (or the wrong one). */
  lost: number;
  /** Accepted runs with more than one result (output twice, or two result events). */
  duplicated: number;
  /** How each lost run ended (status and the start of its output). */
  lostAs: string;
  /** Accepted runs that took more than one attempt. */
  retried: number;
}

/**
 * Runs flowing through the API while a drill's fault happens: one
 * submission every `everyMs`, each from one of `tokens` in turn (the
 * per-account caps stay out of the way), until stopped. Every accepted run
 * is then followed to its end: `settle` counts results, lost and duplicated.
 */
export class RunTraffic {
  private readonly accepted = new Map<string, number>();
  private readonly refusals: string[] = [];
  private running = false;
  private loop?: Promise<void>;
  private n = 0;

  constructor(
    private readonly base: () => string,
    private readonly tokens: string[],
    private readonly seconds = 2,
  ) {}

  start(everyMs: number): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        void this.submit();
        await sleep(everyMs);
      }
    })();
  }

  /** One submission now; the execution id if accepted. */
  async submit(): Promise<string | undefined> {
    const n = this.n++;
    const token = this.tokens[n % this.tokens.length]!;
    try {
      const res = await api("POST", "/api/v1/executions", { base: this.base(), token, body: runBody(n, this.seconds) });
      if (res.status === 202) {
        this.accepted.set(res.json.id as string, n);
        return res.json.id as string;
      }
      this.refusals.push(`${res.status} ${res.json?.error?.code ?? "?"}`);
    } catch (err) {
      this.refusals.push(`no answer (${(err as Error).message})`);
    }
    return undefined;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    // Submissions still in flight.
    await sleep(1000);
  }

  ids(): string[] {
    return [...this.accepted.keys()];
  }

  /** Waits until every accepted run is final (or `timeoutMs`), then counts. */
  async settle(db: Database, redis: Redis, timeoutMs: number): Promise<TrafficFigures> {
    const ids = this.ids();
    const finals = ["succeeded", "failed", "timed_out", "cancelled", "internal_error", "compile_error", "memory_exceeded", "output_exceeded"];
    await eventually(
      "every accepted run ends",
      async () => (await db.execution.count({ where: { id: { in: ids }, status: { notIn: ["queued", "running"] } } })) === ids.length,
      timeoutMs,
      500,
    ).catch(() => undefined);
    const rows = await db.execution.findMany({ where: { id: { in: ids } }, select: { id: true, status: true, stdout: true, attempts: true } });
    let results = 0;
    let duplicated = 0;
    let retried = 0;
    // How each lost run ended, so a failed drill says what happened to it.
    const lostAs: string[] = [];
    for (const row of rows) {
      const n = this.accepted.get(row.id)!;
      const stdout = Buffer.from(row.stdout ?? []).toString();
      const resultEvents = (await redis.xrange(eventsKey(row.id), "-", "+")).filter(([, fields]) => fields[1] === "result").length;
      if (row.attempts > 1) retried += 1;
      if (stdout.split(`run ${n}\n`).length - 1 > 1 || resultEvents > 1) duplicated += 1;
      else if (finals.includes(row.status) && row.status === "succeeded" && stdout === `run ${n}\n`) results += 1;
      else lostAs.push(`${row.status}: ${JSON.stringify(stdout.slice(0, 60))}`);
    }
    const refusedBy: Record<string, number> = {};
    for (const r of this.refusals) refusedBy[r] = (refusedBy[r] ?? 0) + 1;
    if (rows.length < ids.length) lostAs.push(`${ids.length - rows.length} without a row`);
    return {
      submitted: ids.length,
      refused: this.refusals.length,
      refusedBy,
      results,
      lost: ids.length - results - duplicated,
      duplicated,
      retried,
      lostAs: lostAs.join("; "),
    };
  }
}
