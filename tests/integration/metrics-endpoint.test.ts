import http from "node:http";
import type { AddressInfo } from "node:net";
import { Counter } from "prom-client";
import { describe, expect, inject, it } from "vitest";
import { ConfigError, loadConfig } from "../../lib/config/env";
import { metricsEndpoint } from "../../lib/metrics/endpoint";
import { createRegistry } from "../../lib/metrics/registry";
import { parseExposition, scrape, sumOf } from "../support/prometheus";

const SERVICES = [
  ["web", () => inject("webUrl")],
  ["collab", () => inject("collabUrl")],
  ["runner", () => inject("runnerUrl")],
] as const;

describe("GET /metrics on every service: only with the scrape token", () => {
  it.each(SERVICES)("%s refuses a scrape without a token and with a wrong one", async (_service, url) => {
    const anonymous = await scrape(url(), null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await anonymous.json()).error.code).toBe("metrics_token_required");

    const wrong = await scrape(url(), `${inject("metricsToken")}x`);
    expect(wrong.status).toBe(401);
    const body = await wrong.text();
    expect(JSON.parse(body).error.code).toBe("metrics_token_invalid");
    expect(body).not.toContain("process_cpu");
  });

  it.each(SERVICES)("%s serves the exposition format to the right token, labelled with its service", async (service, url) => {
    const res = await scrape(url());
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const parsed = parseExposition(await res.text());
    expect(parsed.types.get("process_cpu_seconds_total")).toBe("counter");
    expect(parsed.samples.length).toBeGreaterThan(20);
    expect(parsed.samples.every((s) => s.labels.service === service)).toBe(true);
  });

  it.each(SERVICES)("%s answers another method with 405", async (_service, url) => {
    const res = await fetch(`${url()}/metrics`, { method: "POST", headers: { authorization: `Bearer ${inject("metricsToken")}` } });
    expect(res.status).toBe(405);
    expect((await res.json()).error.code).toBe("method_not_allowed");
  });
});

describe("the metrics endpoint itself", () => {
  async function serve(token: string | undefined) {
    const registry = createRegistry("web");
    new Counter({ name: "sam_test_total", help: "a test counter", registers: [registry] }).inc(3);
    const endpoint = metricsEndpoint(registry, token);
    const server = http.createServer((req, res) => {
      if (!endpoint(req, res)) res.writeHead(418).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(r)) };
  }

  it("is off (404) when no token is configured, whatever the request sends", async () => {
    const { url, close } = await serve(undefined);
    try {
      for (const token of [null, "", "anything-at-all-1234"]) {
        const res = await scrape(url, token);
        expect(res.status).toBe(404);
        expect((await res.json()).error.code).toBe("metrics_disabled");
      }
    } finally {
      await close();
    }
  });

  it("leaves other paths to the service and ignores the query string", async () => {
    const token = "a-token-of-enough-length";
    const { url, close } = await serve(token);
    try {
      expect((await fetch(`${url}/metricsx`)).status).toBe(418);
      expect((await fetch(`${url}/health`)).status).toBe(418);
      const res = await fetch(`${url}/metrics?x=1`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(sumOf(parseExposition(await res.text()), "sam_test_total")).toBe(3);
      // Same length, different content; and a prefix of the right token.
      for (const wrong of ["a-token-of-enough-lengtH", token.slice(0, -1), `${token} ${token}`]) {
        expect((await scrape(url, wrong)).status).toBe(401);
      }
      expect((await fetch(`${url}/metrics`, { headers: { authorization: `Basic ${token}` } })).status).toBe(401);
    } finally {
      await close();
    }
  });

  it("a token shorter than 16 characters is a configuration error; an empty one means off", () => {
    expect(() => loadConfig({ SAM_METRICS_TOKEN: "short" })).toThrow(ConfigError);
    expect(() => loadConfig({ SAM_METRICS_TOKEN: "short" })).toThrow("SAM_METRICS_TOKEN");
    expect(loadConfig({ SAM_METRICS_TOKEN: "" }).SAM_METRICS_TOKEN).toBeUndefined();
    expect(loadConfig({ SAM_METRICS_TOKEN: " 0123456789abcdef " }).SAM_METRICS_TOKEN).toBe("0123456789abcdef");
  });
});
