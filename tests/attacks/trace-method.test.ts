import http from "node:http";
import { describe, expect, it } from "vitest";
import { uniqueIp, webUrl } from "../support/api";

/**
 * Attack: TRACE, a method any client may send. Next.js cannot make a fetch
 * Request of it and answered every path 500 with an error stack in the log,
 * so a stranger could raise the web's 5xx rate (the dashboard's error panel,
 * sam_http_request_duration_seconds{status="500"}) and fill its log at will.
 * The web server now refuses it itself: 405 method_not_allowed, like the
 * metrics endpoint does. (fetch refuses to send TRACE, so node:http does.)
 */
function trace(path: string): Promise<{ status: number; allow: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(webUrl() + path, { method: "TRACE", headers: { "x-forwarded-for": uniqueIp() } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("TRACE requests", () => {
  for (const path of ["/", "/admin", "/api/v1/me", "/api/v1/executions", "/no-such-page"]) {
    it(`TRACE ${path} is 405 method_not_allowed, not a 500`, async () => {
      const res = await trace(path);
      expect(res.status).toBe(405);
      expect(JSON.parse(res.body).error.code).toBe("method_not_allowed");
      expect(res.allow).toContain("GET");
    });
  }
});
