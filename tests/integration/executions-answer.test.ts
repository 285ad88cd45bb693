import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { ANSWER_MAX_BYTES, answerKey } from "../../lib/executions/answer";
import { api, registerUser } from "../support/api";

/**
 * ?wait=true answers a run with small output from what the runner handed
 * over in Redis with the result (lib/executions/answer.ts), without reading
 * PostgreSQL. That answer must be exactly what the database holds: the same
 * JSON as GET /api/v1/executions/:id, byte for byte in base64 and as text
 * (invalid UTF-8 as U+FFFD), with and without a compile step; larger output
 * is read from PostgreSQL as before.
 */
let token: string;
let redis: Redis;
beforeAll(async () => {
  token = (await registerUser()).token;
  redis = new Redis(inject("redisUrl"));
});
afterAll(() => redis.disconnect());

const run = (body: unknown, query: string) => api("POST", `/api/v1/executions${query}`, { body, token });
const get = (id: string, query = "") => api("GET", `/api/v1/executions/${id}${query}`, { token });

const PRINTS_BYTES = `import sys
sys.stdout.buffer.write(b"a\\x00b\\xff\\xfe\\xc3(\\n" + "é€😀\\n".encode())
sys.stderr.buffer.write(b"\\x80err\\n")
sys.exit(3)`;

const WARNS = `#include <stdio.h>
int main(void) { int unused; printf("hi\\n"); return 0; }`;

describe("the answer of a waiting request", () => {
  for (const encoding of ["text", "base64"] as const) {
    it(`is the stored execution exactly (${encoding}; bytes that are not UTF-8, a failing exit status)`, async () => {
      const content = encoding === "base64" ? Buffer.from(PRINTS_BYTES).toString("base64") : PRINTS_BYTES;
      const query = encoding === "base64" ? "?encoding=base64" : "";
      const waited = await run({ language: "python", files: [{ name: "main.py", content }] }, `?wait=true${query ? `&${query.slice(1)}` : ""}`);
      expect(waited.status).toBe(200);
      expect(waited.json).toMatchObject({ status: "failed", exitCode: 3 });
      // Handed over in Redis (so it was not read from PostgreSQL), and equal to what PostgreSQL holds.
      expect(await redis.exists(answerKey(waited.json.id))).toBe(1);
      const stored = await get(waited.json.id, query);
      expect(stored.status).toBe(200);
      expect(waited.json).toEqual(stored.json);
      expect(JSON.stringify(waited.json)).toBe(JSON.stringify(stored.json));
    });
  }

  it("carries the compiler's output of a compiled language, as stored", async () => {
    const waited = await run({ language: "c", files: [{ name: "main.c", content: WARNS }], limits: {} }, "?wait=true");
    expect(waited.status).toBe(200);
    expect(waited.json).toMatchObject({ status: "succeeded", stdout: "hi\n" });
    expect(await redis.exists(answerKey(waited.json.id))).toBe(1);
    expect(waited.json).toEqual((await get(waited.json.id)).json);
  });

  it("expires with the result's event stream", async () => {
    const waited = await run({ language: "python", files: [{ name: "main.py", content: "print(1)" }] }, "?wait=true");
    const ttl = await redis.ttl(answerKey(waited.json.id));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it("is not handed over for output larger than the answer's size: that answer is read from PostgreSQL, whole", async () => {
    const size = ANSWER_MAX_BYTES + 10;
    const waited = await run({ language: "python", files: [{ name: "main.py", content: `print("x" * ${size - 1})` }] }, "?wait=true");
    expect(waited.status).toBe(200);
    expect(waited.json.stdout).toHaveLength(size);
    expect(await redis.exists(answerKey(waited.json.id))).toBe(0);
    expect(waited.json).toEqual((await get(waited.json.id)).json);
  });
});
