import { Counter, type Registry } from "prom-client";

/** What became of a background build: see the help text of sam_compile_cache_fills_total. */
export type FillOutcome = "stored" | "present" | "too_large" | "redis_full" | "over_budget" | "not_built" | "skipped_busy" | "error";

/**
 * The compile cache's lookups and background builds (runner/execution/compile-cache.ts).
 * Labels are bounded: `language` is a compiled language of the runner's catalogue,
 * `result` one of a fixed few.
 */
export class CompileCacheMetrics {
  private readonly lookups: Counter<"language" | "result">;
  private readonly fills: Counter<"language" | "result">;

  constructor(registry: Registry) {
    this.lookups = new Counter({
      name: "sam_compile_cache_lookups_total",
      help: "Runs of compiled languages by what the compile cache had: hit (ran from a cached build), miss (compiled), error (Redis failed or was slow: compiled).",
      labelNames: ["language", "result"],
      registers: [registry],
    });
    this.fills = new Counter({
      name: "sam_compile_cache_fills_total",
      help: "Background builds after a miss, by outcome: stored, present (another runner had stored it), too_large, redis_full (Redis held SAM_COMPILE_CACHE_MAX_REDIS_MB), over_budget (the account's output budget had no room for it), not_built, skipped_busy, error.",
      labelNames: ["language", "result"],
      registers: [registry],
    });
  }

  lookup(language: string, result: "hit" | "miss" | "error"): void {
    this.lookups.inc({ language, result });
  }

  fill(language: string, result: FillOutcome): void {
    this.fills.inc({ language, result });
  }
}
