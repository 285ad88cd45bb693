import type { IncomingMessage, ServerResponse } from "node:http";
import { Histogram, type Registry } from "prom-client";
import type { RouteTemplates } from "./routes";

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * sam_http_request_duration_seconds{method,route,status}: every request the
 * web server answers, from its arrival to the last byte sent (or the client
 * going away: event streams last as long as someone follows them). Labels are
 * bounded: the route's template, a known method or "other", the status code
 * (or "aborted": the client went away before the answer began).
 */
export class HttpMetrics {
  private readonly duration: Histogram<"method" | "route" | "status">;

  constructor(
    registry: Registry,
    private readonly routes: RouteTemplates,
  ) {
    this.duration = new Histogram({
      name: "sam_http_request_duration_seconds",
      help: "Time to answer an HTTP request to the web server, by route template, method and status code.",
      labelNames: ["method", "route", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
  }

  /** Starts timing a request; it is recorded once, when its response is over. */
  track(req: IncomingMessage, res: ServerResponse): void {
    const end = this.duration.startTimer();
    res.once("close", () => {
      // A client that left before the answer began has no status of its own (res.statusCode would say 200).
      const status = res.headersSent ? String(res.statusCode) : "aborted";
      end({ method: METHODS.has(req.method ?? "") ? req.method : "other", route: this.routes.templateOf(req.url), status });
    });
  }
}
