import { afterAll, describe, expect, inject, it } from "vitest";
import { createRedis } from "../../lib/redis/connection";
import { COMPILE_OUTPUT_MAX_BYTES } from "../../runner/execution/output";
import { api, registerUser } from "../support/api";

/**
 * Attack F2, through the API: compile output of up to 16 MiB a run was stored
 * in PostgreSQL and counted against no budget (about 1 GB a minute of database
 * growth for one account). Now it is cut at COMPILE_OUTPUT_MAX_BYTES, and what
 * is stored counts against the account's output budget like streamed output.
 */
const redis = createRedis(inject("redisUrl"));
afterAll(() => redis.disconnect());

/** What the account's output budget has counted in its window (rate-limiter-flexible's key). */
async function budgetUsed(userId: string): Promise<number> {
  return Number((await redis.get(`sam:budget:output:${userId}`)) ?? 0);
}

/** C whose every error repeats a long macro line: several MiB of compiler output. */
function noisyC(macroBytes: number, lines: number): string {
  const words: string[] = [];
  for (let n = 0; words.join(" ").length < macroBytes; n++) words.push(`w${(n * 7919).toString(36)}`);
  return `#define A ${words.join(" ")}\n${Array.from({ length: lines }, (_, i) => `int v${i} = A;\n`).join("")}`;
}

describe("attack: compile output fills PostgreSQL outside the budget (API)", () => {
  it("compile output is stored only up to its cap, and what is stored counts against the account's output budget", async () => {
    const user = await registerUser();
    const before = await budgetUsed(user.id);
    const res = await api("POST", "/api/v1/executions?wait=true&encoding=base64", {
      body: { language: "c", files: [{ name: "main.c", content: Buffer.from(noisyC(2_000, 60)).toString("base64") }], limits: { outputKb: 16384 } },
      token: user.token,
    });
    expect(res.status).toBe(200);
    expect(res.json.status).toBe("compile_error");
    const stored = Buffer.from(res.json.compileOutput, "base64");
    expect(stored.length).toBeGreaterThan(COMPILE_OUTPUT_MAX_BYTES);
    expect(stored.length).toBeLessThan(COMPILE_OUTPUT_MAX_BYTES + 200);
    expect(stored.toString()).toContain("[sam: compile output truncated");
    // The runner counts it right after the result event.
    let counted = 0;
    for (let i = 0; i < 50 && counted < stored.length; i++) {
      counted = (await budgetUsed(user.id)) - before;
      if (counted < stored.length) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(counted).toBeGreaterThanOrEqual(stored.length);
  });
});
