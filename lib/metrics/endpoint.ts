import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import type { ErrorCode } from "../http/error-codes";

export const METRICS_PATH = "/metrics";

/** Answers GET /metrics (true: answered); any other request is left to the caller (false). */
export type MetricsEndpoint = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * /metrics on a service's own port, for Prometheus only: it must send
 * `Authorization: Bearer <SAM_METRICS_TOKEN>`. Without a token configured the
 * endpoint is off (404), so a fresh install shows its internals to nobody.
 * Tokens are compared as SHA-256 digests in constant time: neither their
 * content nor their length shows in the answer's timing.
 */
export function metricsEndpoint(registry: Registry, token: string | undefined): MetricsEndpoint {
  const expected = token === undefined ? undefined : digest(token);
  return (req, res) => {
    if ((req.url ?? "/").split("?")[0] !== METRICS_PATH) return false;
    if (!expected) {
      refuse(res, 404, "metrics_disabled", "Metrics are off on this service: set SAM_METRICS_TOKEN to serve them.");
    } else if (req.method !== "GET" && req.method !== "HEAD") {
      refuse(res, 405, "method_not_allowed", "Only GET /metrics is served.", { allow: "GET, HEAD" });
    } else {
      const given = bearer(req.headers.authorization);
      if (given === undefined) {
        refuse(res, 401, "metrics_token_required", "Send the scrape token: Authorization: Bearer <SAM_METRICS_TOKEN>.", {
          "www-authenticate": 'Bearer realm="metrics"',
        });
      } else if (!timingSafeEqual(digest(given), expected)) {
        refuse(res, 401, "metrics_token_invalid", "The scrape token is not this service's SAM_METRICS_TOKEN.", {
          "www-authenticate": 'Bearer realm="metrics", error="invalid_token"',
        });
      } else {
        void expose(registry, req, res);
      }
    }
    return true;
  };
}

async function expose(registry: Registry, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const body = await registry.metrics();
    res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : body);
  } catch (err) {
    refuse(res, 503, "metrics_unavailable", `The metrics could not be collected: ${(err as Error).message}`);
  }
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1];
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

function refuse(res: ServerResponse, status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify({ error: { code, message } }));
}
