import { afterAll, describe, expect, inject, it } from "vitest";
import { createDatabase } from "../../lib/db/client";
import { appendEvent } from "../../lib/executions/events";
import { createRedis } from "../../lib/redis/connection";
import { api, registerUser, webUrl } from "../support/api";

/**
 * An execution's output is sent in pieces, read from PostgreSQL a slice at a
 * time (see lib/executions/view-stream.ts). Whatever the bytes, the pieces
 * join into exactly the output: a character whose bytes straddle a piece or a
 * slice is never broken, base64 is exact, and GET, ?wait=true's answer and
 * the event stream's result agree.
 */
const db = createDatabase(inject("databaseUrl"));
const redis = createRedis(inject("redisUrl"));
afterAll(async () => {
  await db.$disconnect();
  redis.disconnect();
});

// One ASCII byte, then four-byte characters: every 48 KiB piece and 1 MiB slice boundary falls inside one.
const STDOUT = Buffer.from("x" + "😀".repeat(300_000));
// Two-byte characters after an odd start, control bytes, and invalid UTF-8 (a lone lead byte at the very end).
const STDERR = Buffer.concat([Buffer.from("\u0000\u0001" + "é".repeat(100_000) + "\u001b[31m"), Buffer.from([0xff, 0xfe, 0xe2, 0x82])]);
const COMPILE = Buffer.from("€".repeat(30_000));

async function stored(userId: string) {
  const row = await db.execution.create({
    data: {
      userId,
      language: "c",
      version: "12",
      status: "succeeded",
      limits: {},
      stdout: new Uint8Array(STDOUT),
      stderr: new Uint8Array(STDERR),
      compileOutput: new Uint8Array(COMPILE),
      exitCode: 0,
      attempts: 1,
      finishedAt: new Date(),
    },
  });
  return row.id;
}

describe("large output, sent in pieces", () => {
  it("GET as text: every character whole, invalid bytes as U+FFFD, as one decoding of the bytes gives", async () => {
    const user = await registerUser();
    const id = await stored(user.id);
    const res = await api("GET", `/api/v1/executions/${id}`, { token: user.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    const decode = (b: Buffer) => new TextDecoder().decode(b);
    expect(res.json.stdout).toBe(decode(STDOUT));
    expect(res.json.stderr).toBe(decode(STDERR));
    expect(res.json.compileOutput).toBe(decode(COMPILE));
    expect(res.json).toMatchObject({ id, status: "succeeded", exitCode: 0, language: "c" });
  });

  it("GET as base64: the exact bytes", async () => {
    const user = await registerUser();
    const id = await stored(user.id);
    const res = await api("GET", `/api/v1/executions/${id}?encoding=base64`, { token: user.token });
    for (const [field, bytes] of [
      ["stdout", STDOUT],
      ["stderr", STDERR],
      ["compileOutput", COMPILE],
    ] as const) {
      expect(Buffer.from(res.json[field], "base64").equals(bytes)).toBe(true);
    }
  });

  it("the event stream's result carries the same output", async () => {
    const user = await registerUser();
    const id = await stored(user.id);
    await appendEvent(redis, id, "result", { id, status: "succeeded" });
    const res = await fetch(`${webUrl()}/api/v1/executions/${id}/events?encoding=base64`, { headers: { authorization: `Bearer ${user.token}` } });
    const text = await res.text();
    const block = text.split("\n\n").find((b) => /^event: result$/m.test(b))!;
    const result = JSON.parse(block.match(/^data: (.*)$/m)![1]!);
    expect(Buffer.from(result.stdout, "base64").equals(STDOUT)).toBe(true);
    expect(Buffer.from(result.stderr, "base64").equals(STDERR)).toBe(true);
  });

  it("an execution with no compile step and no output", async () => {
    const user = await registerUser();
    const row = await db.execution.create({
      data: { userId: user.id, language: "python", version: "3", status: "succeeded", limits: {}, exitCode: 0, attempts: 1, finishedAt: new Date() },
    });
    const res = await api("GET", `/api/v1/executions/${row.id}`, { token: user.token });
    expect(res.json).toMatchObject({ stdout: "", stderr: "", compileOutput: null });
  });
});
