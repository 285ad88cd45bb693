import { collectDefaultMetrics, Registry } from "prom-client";

/** The processes that serve /metrics; the `service` label on every series says which one it came from. */
export type MetricsService = "web" | "collab" | "runner";

/**
 * One registry per process, made at start-up and handed to whatever records
 * metrics (never prom-client's global registry: tests and a process's parts
 * stay independent). It carries Node's default process metrics
 * (process_cpu_seconds_total, nodejs_heap_size_used_bytes, event loop lag...)
 * under their usual names, so standard Node.js dashboards work too.
 */
export function createRegistry(service: MetricsService): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}
