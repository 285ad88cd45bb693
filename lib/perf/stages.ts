import type { Redis } from "ioredis";

/**
 * Where one run's time goes, stage by stage (issue 13's breakdown, printed by
 * `npm run bench`). Each part times its own stages back to back: the web
 * process answers them in a Server-Timing header, the runner appends them to
 * one capped Redis stream. Off unless SAM_STAGE_TIMINGS=1: they cost little,
 * but a timing per request is nothing a stranger needs to see.
 */
export interface Stage {
  stage: string;
  ms: number;
}

/** Runner stages of recent runs, one entry per run: {id, stages (JSON)}. */
export const STAGES_KEY = "sam:perf:stages";
const STAGES_KEPT = 10_000;

export class StageTimer {
  readonly stages: Stage[] = [];
  private last: number;

  constructor(readonly startedAt = performance.now()) {
    this.last = startedAt;
  }

  /** Ends the stage that ran since the last lap (or the start). */
  lap(stage: string): void {
    const now = performance.now();
    this.stages.push({ stage, ms: now - this.last });
    this.last = now;
  }

  /** Stages measured elsewhere (a sandbox driver's), inside the one that runs now; the next lap counts only the rest. */
  within(prefix: string, inner: Stage[] | undefined): void {
    if (!inner?.length) return;
    for (const s of inner) this.stages.push({ stage: `${prefix}.${s.stage}`, ms: s.ms });
  }

  /** The header value: `name;dur=ms` per stage (https://www.w3.org/TR/server-timing/). */
  serverTiming(): string {
    return this.stages.map((s) => `${s.stage.replace(/[^\w.-]/g, "_")};dur=${s.ms.toFixed(2)}`).join(", ");
  }
}

/** Reads a Server-Timing header back into stages. */
export function parseServerTiming(header: string | null): Stage[] {
  if (!header) return [];
  return header.split(",").flatMap((part) => {
    const [name, ...params] = part.trim().split(";");
    const dur = params.map((p) => p.trim()).find((p) => p.startsWith("dur="));
    return name && dur ? [{ stage: name, ms: Number(dur.slice(4)) }] : [];
  });
}

/** Records a run's runner stages (never throws: timings are never worth a failed run). */
export async function recordStages(redis: Redis, executionId: string, stages: Stage[]): Promise<void> {
  await redis.xadd(STAGES_KEY, "MAXLEN", "~", STAGES_KEPT, "*", "id", executionId, "stages", JSON.stringify(stages)).catch(() => undefined);
}

/** The runner stages recorded for these runs, by execution id. */
export async function readStages(redis: Redis, ids: Set<string>): Promise<Map<string, Stage[]>> {
  const found = new Map<string, Stage[]>();
  const entries = (await redis.xrange(STAGES_KEY, "-", "+")) as Array<[string, string[]]>;
  for (const [, fields] of entries) {
    const id = fields[fields.indexOf("id") + 1];
    if (id && ids.has(id)) found.set(id, JSON.parse(fields[fields.indexOf("stages") + 1]!) as Stage[]);
  }
  return found;
}
