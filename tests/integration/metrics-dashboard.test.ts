import fs from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { exportedNames, scrapeOk } from "../support/prometheus";
import { ROOT } from "../support/stack";

const DASHBOARD = path.join(ROOT, "deploy/grafana/sam-dashboard.json");

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
}

/** PromQL words that are not metric names: functions, aggregations, keywords. */
const PROMQL_WORDS = new Set([
  "sum",
  "max",
  "min",
  "avg",
  "count",
  "by",
  "without",
  "rate",
  "irate",
  "increase",
  "histogram_quantile",
  "on",
  "ignoring",
  "and",
  "or",
  "unless",
  "offset",
  "bool",
]);

/**
 * The metric names in a PromQL expression: what is left once label matchers
 * ({...}), grouping clauses (by (...)), ranges ([5m]) and numbers are taken
 * out, and function names (followed by "(") are skipped.
 */
function metricNamesIn(expr: string): string[] {
  const bare = expr
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b\d+(\.\d+)?\b/g, " ");
  const names: string[] = [];
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = bare.slice(m.index! + m[0].length).trimStart();
    if (after.startsWith("(") || PROMQL_WORDS.has(m[0])) continue;
    names.push(m[0]);
  }
  return names;
}

describe("the Grafana dashboard (deploy/grafana/sam-dashboard.json)", () => {
  it("reads the expressions' metric names as intended", () => {
    expect(metricNamesIn('histogram_quantile(0.95, sum by (le, route) (rate(sam_http_request_duration_seconds_bucket{route!~".*/events"}[5m])))')).toEqual([
      "sam_http_request_duration_seconds_bucket",
    ]);
    expect(metricNamesIn('sum by (state) (max by (class, state) (sam_queue_jobs{state!="prioritized"})) + nodejs_x')).toEqual(["sam_queue_jobs", "nodejs_x"]);
  });

  it("is valid JSON whose every panel's queries use only metrics the services export", async () => {
    const dashboard = JSON.parse(fs.readFileSync(DASHBOARD, "utf8")) as { title: string; uid: string; panels: Panel[] };
    expect(dashboard.title).toBeTruthy();
    expect(dashboard.uid).toBeTruthy();
    const scrapes = await Promise.all([inject("webUrl"), inject("collabUrl"), inject("runnerUrl")].map((url) => scrapeOk(url)));
    const exported = new Set(scrapes.flatMap((s) => [...exportedNames(s)]));

    const graphs = dashboard.panels.filter((p) => p.type !== "row");
    expect(graphs.length).toBeGreaterThan(10);
    const used = new Set<string>();
    for (const panel of graphs) {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const { expr } of panel.targets!) {
        const names = metricNamesIn(expr);
        expect(names.length, `${panel.title}: ${expr}`).toBeGreaterThan(0);
        for (const name of names) {
          expect(exported.has(name), `${panel.title} uses ${name}, which no service exports`).toBe(true);
          used.add(name.replace(/_(bucket|sum|count)$/, ""));
        }
      }
    }
    // Every metric of ours (sam_*) has a panel.
    const ours = scrapes.flatMap((s) => [...s.types.keys()]).filter((n) => n.startsWith("sam_"));
    expect(ours.filter((n) => !used.has(n))).toEqual([]);
  });
});
