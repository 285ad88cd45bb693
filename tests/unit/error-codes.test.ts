import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../lib/http/error-codes";
import { ROOT } from "../support/stack";

/**
 * The error-code catalogue (lib/http/error-codes.ts), the code and
 * docs/errors.md say the same: every code the services give is in the
 * catalogue with the status it is given with, every catalogue entry is used,
 * and the page lists exactly the catalogue's codes with their statuses.
 */
const SOURCE_DIRS = ["app", "lib", "web", "collab", "runner", "supervisor", "proxy.ts"];
/** zod's own issue code (`ctx.addIssue({ code: "custom" })`), not one of ours. */
const NOT_OURS = new Set(["custom"]);

function sourceFiles(): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  const walk = (p: string) => {
    const stat = fs.statSync(p);
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(p)) if (name !== "generated" && name !== "node_modules") walk(path.join(p, name));
    } else if (/\.tsx?$/.test(p)) {
      out.push({ file: path.relative(ROOT, p), text: fs.readFileSync(p, "utf8") });
    }
  };
  for (const dir of SOURCE_DIRS) if (fs.existsSync(path.join(ROOT, dir))) walk(path.join(ROOT, dir));
  return out;
}

/** Each code the source gives, with the status it is given with (null: no status beside it, e.g. an event's). */
function usedCodes(): Array<{ code: string; status: number | null; file: string }> {
  const uses: Array<{ code: string; status: number | null; file: string }> = [];
  for (const { file, text } of sourceFiles()) {
    if (file === path.join("lib", "http", "error-codes.ts")) continue;
    for (const m of text.matchAll(/(?:ApiError|jsonError)\(\s*(\d{3}),\s*"([a-z0-9_]+)"/g)) uses.push({ code: m[2]!, status: Number(m[1]), file });
    // Answers written outside the route handlers (the metrics endpoint): refuse(res, status, "code", ...).
    for (const m of text.matchAll(/\brefuse\(\s*\w+,\s*(\d{3}),\s*"([a-z0-9_]+)"/g)) uses.push({ code: m[2]!, status: Number(m[1]), file });
    for (const m of text.matchAll(/\bcode:\s*"([a-z0-9_]+)"/g)) if (!NOT_OURS.has(m[1]!)) uses.push({ code: m[1]!, status: null, file });
  }
  return uses;
}

/** The rows of docs/errors.md's tables: code and status (null for "-"). */
function documented(): Map<string, number | null> {
  const page = fs.readFileSync(path.join(ROOT, "docs", "errors.md"), "utf8");
  const rows = new Map<string, number | null>();
  for (const m of page.matchAll(/^\| `([a-z0-9_]+)` \| (\d{3}|-) \|/gm)) {
    expect(rows.has(m[1]!), `${m[1]} is listed twice in docs/errors.md`).toBe(false);
    rows.set(m[1]!, m[2] === "-" ? null : Number(m[2]));
  }
  return rows;
}

describe("API error codes", () => {
  it("every code the code gives is in the catalogue, with the catalogue's status", () => {
    const uses = usedCodes();
    expect(uses.length).toBeGreaterThan(50);
    for (const use of uses) {
      const entry = (ERROR_CODES as Record<string, { status: number | null }>)[use.code];
      expect(entry, `${use.file} gives "${use.code}", which lib/http/error-codes.ts does not list`).toBeDefined();
      if (use.status !== null) expect(entry!.status, `${use.file} gives "${use.code}" with ${use.status}`).toBe(use.status);
    }
  });

  it("every catalogue entry is given somewhere (no stale codes)", () => {
    const used = new Set(usedCodes().map((u) => u.code));
    // internal_error is given by handle() itself (lib/http/errors.ts), which the scan covers.
    const unused = Object.keys(ERROR_CODES).filter((code) => !used.has(code));
    expect(unused).toEqual([]);
  });

  it("docs/errors.md lists exactly the catalogue's codes, with the same statuses", () => {
    const docs = documented();
    const catalogue = new Map(Object.entries(ERROR_CODES).map(([code, e]) => [code, e.status as number | null]));
    expect([...docs.keys()].sort()).toEqual([...catalogue.keys()].sort());
    for (const [code, status] of catalogue) expect(docs.get(code), code).toBe(status);
  });
});
