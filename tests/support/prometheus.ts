import { inject } from "vitest";

/** One sample of a scrape: `name{labels} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  /** Metric families by name, with their # TYPE. */
  types: Map<string, string>;
  samples: Sample[];
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/gy;

/**
 * Parses Prometheus's text exposition format (version 0.0.4), strictly: a
 * line that is neither a comment nor a well-formed sample throws, as does a
 * sample whose family has no # TYPE before it. Enough to tell a valid scrape.
 */
export function parseExposition(text: string): Scrape {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    if (/^# HELP \S+ /.test(line)) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a valid exposition line: ${line}`);
    const [, name, rawLabels, rawValue] = match as unknown as [string, string, string | undefined, string];
    const family = familyOf(name, types);
    if (!family) throw new Error(`sample ${name} has no # TYPE before it`);
    const labels: Record<string, string> = {};
    if (rawLabels) {
      LABEL.lastIndex = 0;
      let consumed = 0;
      for (let m = LABEL.exec(rawLabels); m; m = LABEL.exec(rawLabels)) {
        labels[m[1]!] = m[2]!;
        consumed = LABEL.lastIndex;
      }
      if (consumed !== rawLabels.length) throw new Error(`malformed labels: ${line}`);
    }
    samples.push({ name, labels, value: parseValue(rawValue, line) });
  }
  return { types, samples };
}

/** A sample's value as Prometheus reads it (Go's ParseFloat: NaN and Inf in any case; prom-client writes "Nan"). */
function parseValue(raw: string, line: string): number {
  if (/^nan$/i.test(raw)) return NaN;
  const inf = /^([+-]?)inf(inity)?$/i.exec(raw);
  if (inf) return inf[1] === "-" ? -Infinity : Infinity;
  const value = Number(raw);
  if (raw === "" || Number.isNaN(value)) throw new Error(`malformed value: ${line}`);
  return value;
}

/** The family a sample belongs to (a histogram's _bucket, _sum and _count belong to it). */
function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, "");
  return types.has(base) && ["histogram", "summary"].includes(types.get(base)!) ? base : undefined;
}

/** Every name a scrape can show: each family, and a histogram's _bucket, _sum, _count. */
export function exportedNames(scrape: Scrape): Set<string> {
  const names = new Set<string>();
  for (const [name, type] of scrape.types) {
    names.add(name);
    if (type === "histogram" || type === "summary") for (const s of ["_bucket", "_sum", "_count"]) names.add(name + s);
  }
  return names;
}

/** The sum of the samples named `name` whose labels include `labels`. */
export function sumOf(scrape: Scrape, name: string, labels: Record<string, string> = {}): number {
  return scrape.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

/** Scrapes a service of the test stack with its token (or `token` to try another). */
export async function scrape(baseUrl: string, token: string | null = inject("metricsToken")): Promise<Response> {
  return fetch(`${baseUrl}/metrics`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
}

/** Scrapes and parses, failing on anything but a 200 in the exposition format. */
export async function scrapeOk(baseUrl: string): Promise<Scrape> {
  const res = await scrape(baseUrl);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`scrape of ${baseUrl} answered ${res.status}: ${text.slice(0, 300)}`);
  return parseExposition(text);
}
