import { describe, expect, it } from "vitest";
import pino from "pino";
import { handle } from "../../lib/http/errors";
import { isDatabaseUnavailable } from "../../lib/db/unavailable";
import { isRedisUnavailable } from "../../lib/http/redis-unavailable";

/**
 * What Prisma's pg adapter and ioredis throw while PostgreSQL or Redis is down
 * or restarting (tests/drills/postgres-restarted.test.ts and
 * redis-restarted.test.ts meet them for real): 503 with a code, not 500.
 */
const withCode = (message: string, code?: string, cause?: unknown) => Object.assign(new Error(message), { code, cause });

describe("isDatabaseUnavailable", () => {
  it.each([
    ["the socket is gone", withCode("Invalid `db.user.count()` invocation:\nconnect ENOENT /tmp/x/run/.s.PGSQL.5432", "ENOENT")],
    ["refused", withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED")],
    ["shutting down", withCode("terminating connection due to administrator command", "57P01")],
    ["starting up", withCode("the database system is starting up", "57P03")],
    [
      "as Prisma words it",
      withCode(
        "Invalid `prisma.execution.findUnique()` invocation:\n\nDatabase error. Code: `57P03`. Message: `the database system is shutting down`",
        "P2010",
      ),
    ],
    ["the connection cut", withCode("Connection terminated unexpectedly")],
    ["wrapped", withCode("query failed", undefined, withCode("connect ECONNREFUSED", "ECONNREFUSED"))],
  ])("%s: yes", (_, err) => expect(isDatabaseUnavailable(err)).toBe(true));

  it.each([
    ["a unique violation", withCode("Unique constraint failed", "P2002")],
    ["a file not found", withCode("ENOENT: no such file or directory, open '/x'", "ENOENT")],
    ["a plain error", new Error("boom")],
    ["not an error", "ECONNREFUSED"],
  ])("%s: no", (_, err) => expect(isDatabaseUnavailable(err)).toBe(false));

  it("a route answers 503 database_unavailable with Retry-After", async () => {
    const route = handle(
      async () => {
        throw withCode("connect ENOENT /tmp/x/run/.s.PGSQL.5432", "ENOENT");
      },
      () => pino({ level: "silent" }),
    );
    const res = await route();
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await res.json()).error.code).toBe("database_unavailable");
  });
});

describe("isRedisUnavailable", () => {
  it.each([
    [
      "retries spent",
      Object.assign(new Error('Reached the max retries per request limit (which is 2). Refer to "maxRetriesPerRequest" option for details.'), {
        name: "MaxRetriesPerRequestError",
      }),
    ],
    ["the connection closed", new Error("Connection is closed.")],
  ])("%s: yes", (_, err) => expect(isRedisUnavailable(err)).toBe(true));

  it.each([
    ["a wrong type", new Error("WRONGTYPE Operation against a key holding the wrong kind of value")],
    ["a database error", withCode("connect ECONNREFUSED", "ECONNREFUSED")],
  ])("%s: no", (_, err) => expect(isRedisUnavailable(err)).toBe(false));

  it("a route answers 503 queue_unavailable with Retry-After", async () => {
    const route = handle(
      async () => {
        throw new Error("Connection is closed.");
      },
      () => pino({ level: "silent" }),
    );
    const res = await route();
    expect(res.status).toBe(503);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await res.json()).error.code).toBe("queue_unavailable");
  });
});
