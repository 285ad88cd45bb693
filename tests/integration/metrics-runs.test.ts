import { describe, expect, inject, it } from "vitest";
import { api, registerUser } from "../support/api";
import { eventually } from "../support/rooms";
import { scrapeOk, sumOf } from "../support/prometheus";

const runner = () => inject("runnerUrl");
const web = () => inject("webUrl");

describe("runner metrics follow the runs", () => {
  it("a run is counted in the queue wait, run duration and sandbox start histograms", async () => {
    const { token } = await registerUser();
    const before = await scrapeOk(runner());
    const done = { language: "python", status: "succeeded" };
    const res = await api("POST", "/api/v1/executions?wait=true", {
      token,
      body: { language: "python", files: [{ name: "main.py", content: "print('metrics')" }] },
    });
    expect(res.status).toBe(200);
    expect(res.json.status).toBe("succeeded");
    const after = await scrapeOk(runner());

    expect(sumOf(after, "sam_run_duration_seconds_count", done)).toBeGreaterThan(sumOf(before, "sam_run_duration_seconds_count", done));
    expect(sumOf(after, "sam_run_duration_seconds_sum", done)).toBeGreaterThan(sumOf(before, "sam_run_duration_seconds_sum", done));
    expect(sumOf(after, "sam_queue_wait_seconds_count", { language: "python" })).toBeGreaterThan(
      sumOf(before, "sam_queue_wait_seconds_count", { language: "python" }),
    );
    expect(sumOf(after, "sam_sandbox_start_seconds_count", { driver: "oci" })).toBeGreaterThan(
      sumOf(before, "sam_sandbox_start_seconds_count", { driver: "oci" }),
    );
    expect(sumOf(after, "sam_runners", { driver: "oci" })).toBe(1);
    // Every histogram bucket series carries only the bounded labels.
    for (const s of after.samples.filter((s) => s.name.startsWith("sam_run_duration_seconds"))) {
      expect(Object.keys(s.labels).sort()).toEqual(s.name.endsWith("_bucket") ? ["language", "le", "service", "status"] : ["language", "service", "status"]);
    }
  });

  it("runs in flight rise while a program runs and fall when it ends", async () => {
    const { token } = await registerUser();
    const res = await api("POST", "/api/v1/executions", { token, body: { language: "bash", files: [{ name: "main.sh", content: "sleep 4; echo done" }] } });
    expect(res.status).toBe(202);
    await eventually("the runner to count the run in flight", async () => sumOf(await scrapeOk(runner()), "sam_runs_in_flight") >= 1, 60_000);
    await eventually("the run to finish", async () => (await api("GET", `/api/v1/executions/${res.json.id}`, { token })).json.status === "succeeded", 60_000);
    await eventually("runs in flight to fall back", async () => sumOf(await scrapeOk(runner()), "sam_runs_in_flight") === 0, 30_000);
  });
});

describe("web metrics", () => {
  it("times requests by route template, method and status, never by raw path", async () => {
    const { token } = await registerUser();
    const before = await scrapeOk(web());
    const run = await api("POST", "/api/v1/executions?wait=true", { token, body: { language: "python", files: [{ name: "main.py", content: "print(1)" }] } });
    expect(run.status).toBe(200);
    expect((await api("GET", `/api/v1/executions/${run.json.id}`, { token })).status).toBe(200);
    const probe = `/no-such-page-${run.json.id}`;
    expect((await api("GET", probe)).status).toBe(404);
    const after = await scrapeOk(web());

    const count = (s: typeof after, labels: Record<string, string>) => sumOf(s, "sam_http_request_duration_seconds_count", labels);
    for (const labels of [
      { route: "/api/v1/executions", method: "POST", status: "200" },
      { route: "/api/v1/executions/[id]", method: "GET", status: "200" },
      { route: "unmatched", method: "GET", status: "404" },
    ]) {
      expect(count(after, labels), JSON.stringify(labels)).toBeGreaterThan(count(before, labels));
    }
    const routes = new Set(after.samples.filter((s) => s.name.startsWith("sam_http_request")).map((s) => s.labels.route));
    expect([...routes].some((r) => r!.includes(run.json.id))).toBe(false);
  });

  it("a request the client abandons before the answer begins counts as aborted", async () => {
    const { token } = await registerUser();
    const aborted = { route: "/api/v1/executions", method: "POST", status: "aborted" };
    const before = sumOf(await scrapeOk(web()), "sam_http_request_duration_seconds_count", aborted);
    const gaveUp = new AbortController();
    const waiting = fetch(`${web()}/api/v1/executions?wait=true`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ language: "bash", files: [{ name: "main.sh", content: "sleep 5" }] }),
      signal: gaveUp.signal,
    });
    setTimeout(() => gaveUp.abort(), 1500);
    await expect(waiting).rejects.toThrow();
    await eventually(
      "the abandoned request to be counted",
      async () => sumOf(await scrapeOk(web()), "sam_http_request_duration_seconds_count", aborted) > before,
    );
  });

  it("reports the queue's depth for every class and state", async () => {
    const scraped = await scrapeOk(web());
    for (const workClass of ["interactive", "api", "batch"]) {
      for (const state of ["waiting", "prioritized", "delayed", "active"]) {
        expect(
          scraped.samples.some((s) => s.name === "sam_queue_jobs" && s.labels.class === workClass && s.labels.state === state),
          `${workClass}/${state}`,
        ).toBe(true);
      }
      expect(scraped.samples.some((s) => s.name === "sam_queue_oldest_wait_seconds" && s.labels.class === workClass)).toBe(true);
    }
  });
});
