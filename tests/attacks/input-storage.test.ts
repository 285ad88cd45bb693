import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { api, registerUser } from "../support/api";
import { startWeb } from "../support/shared-backing";
import type { RunningService } from "../support/stack";

/**
 * Attack (attack-web F10): fill PostgreSQL with program inputs. Each run's
 * files (up to 1 MiB) and stdin (up to 1 MiB) were kept 30 days with no
 * budget: +125 MB per minute per account. Now the input one account stores
 * per window is capped (429 input_budget_exhausted), and the inputs of runs
 * finished more than a window ago are dropped (the API never shows them).
 */
const pool = new pg.Pool({ connectionString: inject("databaseUrl"), max: 2 });
let budgeted: RunningService;
let shortLived: RunningService;
beforeAll(async () => {
  [budgeted, shortLived] = await Promise.all([
    startWeb({ SAM_INPUT_BUDGET_MB: "1", SAM_INPUT_BUDGET_WINDOW_SECONDS: "600" }),
    startWeb({ SAM_INPUT_BUDGET_WINDOW_SECONDS: "2" }),
  ]);
});
afterAll(async () => {
  await Promise.all([budgeted?.stop(), shortLived?.stop()]);
  await pool.end();
});

/** Random, so nothing could compress it away: what the attack sent. */
const noise = (bytes: number) => randomBytes(bytes).toString("base64");
const run = (base: string, token: string, content: string, stdin = "", query = "?encoding=base64") =>
  api("POST", `/api/v1/executions${query}`, {
    token,
    base,
    body: {
      language: "bash",
      files: [
        { name: "main.sh", content: Buffer.from("cat > /dev/null; echo done\n").toString("base64") },
        { name: "data.bin", content },
      ],
      stdin,
    },
  });

describe("stored program input", () => {
  it("is limited per account per window: beyond it 429 input_budget_exhausted with Retry-After; smaller input still fits", async () => {
    const user = await registerUser();
    expect((await run(budgeted.url, user.token, noise(400 * 1024), noise(200 * 1024))).status).toBe(202);
    const refused = await run(budgeted.url, user.token, noise(400 * 1024), noise(200 * 1024));
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe("input_budget_exhausted");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    // What was refused took nothing: a small run fits in what is left.
    expect((await run(budgeted.url, user.token, noise(10 * 1024))).status).toBe(202);
    // Another account has a budget of its own.
    const other = await registerUser();
    expect((await run(budgeted.url, other.token, noise(400 * 1024), noise(200 * 1024))).status).toBe(202);
  });

  it("of a finished run is dropped after a window; its output and history stay", async () => {
    const user = await registerUser();
    const first = await run(shortLived.url, user.token, noise(64 * 1024), Buffer.from("some input\n").toString("base64"), "?encoding=base64&wait=true");
    expect(first.status).toBe(200);
    expect(first.json.stdout).toBe(Buffer.from("done\n").toString("base64"));
    const stored = async () =>
      (
        await pool.query<{ stdin: number; files: number; dropped: Date | null }>(
          `SELECT octet_length(e.stdin) AS stdin, (SELECT sum(octet_length(f.content)) FROM "ExecutionFile" f WHERE f."executionId" = e.id)::int AS files, e."inputsDroppedAt" AS dropped FROM "Execution" e WHERE e.id = $1`,
          [first.json.id],
        )
      ).rows[0]!;
    expect((await stored()).files).toBeGreaterThan(64 * 1024);
    // Later runs of the account drop it once it has been finished for a window (2 s here).
    let now = await stored();
    for (let tries = 0; tries < 20 && now.dropped === null; tries++) {
      await new Promise((r) => setTimeout(r, 1000));
      await run(shortLived.url, user.token, Buffer.from("x").toString("base64"));
      now = await stored();
    }
    expect(now).toMatchObject({ stdin: 0, files: 0 });
    expect(now.dropped).toBeInstanceOf(Date);
    const shown = await api("GET", `/api/v1/executions/${first.json.id}`, { token: user.token });
    expect(shown.json).toMatchObject({ status: "succeeded", stdout: "done\n" });
  });
});
