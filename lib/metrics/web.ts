import type { Redis } from "ioredis";
import type { Registry } from "prom-client";
import { HttpMetrics } from "./http";
import { QueueDepth } from "./queue-depth";
import { createRegistry } from "./registry";
import { RouteTemplates } from "./routes";

export interface WebMetrics {
  registry: Registry;
  http: HttpMetrics;
}

/**
 * The web process's metrics: its HTTP requests, and the execution queue's
 * depth (the web process queues runs and is always there, whatever the
 * number of runners; each web process reports the same queue: aggregate with
 * max, not sum). `dir` is the app's root (where the .next build is).
 */
export function createWebMetrics(dir: string, redis: Redis): WebMetrics {
  const registry = createRegistry("web");
  new QueueDepth(redis).register(registry);
  return { registry, http: new HttpMetrics(registry, RouteTemplates.load(dir)) };
}
