import { testCompileCache } from "../support/compile-cache";
import { randomBytes } from "node:crypto";
import pino from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEFAULT_POLICY, resolveLimits } from "../../lib/executions/limits";
import { CompileCacheMetrics } from "../../lib/metrics/compile-cache";
import { createRedis } from "../../lib/redis/connection";
import { type CompileCache, encodeEntry } from "../../runner/execution/compile-cache";
import { executeProgram } from "../../runner/execution/execute";
import { sandboxGradingEnv } from "../../runner/grading/sandbox-env";
import { SandboxInfrastructureError, type SandboxDriver } from "../../runner/sandbox/driver";
import { language, openDriver } from "../support/drivers";
import { eventually } from "../support/rooms";

/**
 * The compile cache over a real sandbox driver (crun) and the test stack's
 * Redis: what a hit, a miss, a compile error and a failing Redis look like to
 * the run. Hits are seen through the cache's own counters, never by timing.
 */
const redis = createRedis(inject("redisUrl"));
let driver: SandboxDriver;
beforeAll(async () => {
  await redis.ping(); // ready: a lookup on a connection still connecting is an error (a miss), by design
  driver = await openDriver("oci/crun");
});
afterAll(async () => {
  await driver?.close();
  redis.disconnect();
});

function cacheOver(client = redis, busy = false) {
  const registry = new Registry();
  const prefix = `test:compile-cache:${randomBytes(6).toString("hex")}:`;
  const cache = testCompileCache({ redis: client, driver, ttlSeconds: 60, busy: () => busy, metrics: new CompileCacheMetrics(registry), prefix });
  const count = async (metric: string, result: string) => {
    const values = (await registry.getSingleMetric(metric)?.get())?.values ?? [];
    return values.filter((v) => v.labels.result === result).reduce((sum, v) => sum + v.value, 0);
  };
  return {
    cache,
    prefix,
    lookups: (result: string) => count("sam_compile_cache_lookups_total", result),
    fills: (result: string) => count("sam_compile_cache_fills_total", result),
  };
}

function run(cache: CompileCache, lang: string, files: Array<{ name: string; content: string }>, stdin = "") {
  const definition = language(lang);
  const limits = resolveLimits(DEFAULT_POLICY, definition.limits, {});
  return executeProgram(driver, definition, { files, stdin, args: [] }, limits, DEFAULT_POLICY.diskMb, {}, cache);
}

/** A C program that warns while compiling, unique to this test run. */
const warningC = (tag: string) =>
  `#include <stdio.h>\n#warning "cached warning ${tag}"\nint main(void) { char s[64]; if (fgets(s, sizeof s, stdin)) printf("read %s", s); puts("hello ${tag}"); return 0; }\n`;

describe("the compile cache", () => {
  it("runs an identical C program from the cached build, with the same output and compiler output", async () => {
    const { cache, prefix, lookups, fills } = cacheOver();
    const files = [{ name: "main.c", content: warningC(randomBytes(4).toString("hex")) }];
    const first = await run(cache, "c", files, "one\n");
    expect(first.status).toBe("succeeded");
    expect(first.compileOutput).toContain("cached warning");
    expect(await lookups("miss")).toBe(1);
    await cache.settled();
    expect(await fills("stored")).toBe(1);

    // Near its end, a build in use is kept another TTL (60 s here) by the hit.
    const key = `${prefix}${cache.keyOf(language("c"), files)}`;
    await redis.expire(key, 5);
    // Another stdin: not part of the key, the build serves it too.
    const second = await run(cache, "c", files, "two\n");
    expect(await lookups("hit")).toBe(1);
    expect(await redis.ttl(key)).toBeGreaterThan(5);
    expect(second.status).toBe("succeeded");
    expect(second.stdout).toBe(first.stdout.replace("read one", "read two"));
    expect(second.compileOutput).toBe(first.compileOutput);
    expect(second.bytes.compileOutput?.equals(first.bytes.compileOutput!)).toBe(true);
  });

  it("compiles again when a file changed", async () => {
    const { cache, lookups } = cacheOver();
    const tag = randomBytes(4).toString("hex");
    await run(cache, "c", [{ name: "main.c", content: warningC(tag) }]);
    await cache.settled();
    const changed = await run(cache, "c", [{ name: "main.c", content: warningC(`${tag}-changed`) }]);
    expect(await lookups("miss")).toBe(2);
    expect(await lookups("hit")).toBe(0);
    expect(changed.stdout).toContain(`hello ${tag}-changed`);
    expect(changed.compileOutput).toContain(`cached warning ${tag}-changed`);
  });

  it("reports a compile error the same each time and never stores it as a build", async () => {
    const { cache, lookups, fills } = cacheOver();
    const files = [{ name: "main.c", content: `int main(void) { return undefined_${randomBytes(4).toString("hex")}; }\n` }];
    const first = await run(cache, "c", files);
    await cache.settled();
    const second = await run(cache, "c", files);
    await cache.settled();
    for (const result of [first, second]) {
      expect(result.status).toBe("compile_error");
      expect(result.compileOutput).toContain("undeclared");
    }
    expect(second.compileOutput).toBe(first.compileOutput);
    expect(second.exitCode).toBe(first.exitCode);
    expect(await lookups("miss")).toBe(2);
    expect(await fills("stored")).toBe(0);
  });

  it("runs an identical Java program from the cached build", async () => {
    const { cache, lookups } = cacheOver();
    const files = [
      {
        name: "Main.java",
        content: `public class Main { public static void main(String[] a) { System.out.println("java ${randomBytes(4).toString("hex")}"); } }\n`,
      },
    ];
    const first = await run(cache, "java", files);
    await cache.settled();
    const second = await run(cache, "java", files);
    expect(await lookups("hit")).toBe(1);
    expect(first.status).toBe("succeeded");
    expect(second.status).toBe("succeeded");
    expect(second.stdout).toBe(first.stdout);
  });

  it("compiles as usual when Redis cannot be reached", async () => {
    // Nothing listens there: the client never becomes ready.
    const down = createRedis("redis://127.0.0.1:1", { lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null });
    down.on("error", () => undefined);
    const { cache, lookups, fills } = cacheOver(down);
    const files = [{ name: "main.c", content: warningC(randomBytes(4).toString("hex")) }];
    const first = await run(cache, "c", files);
    await cache.settled();
    const second = await run(cache, "c", files);
    await cache.settled();
    for (const result of [first, second]) {
      expect(result.status).toBe("succeeded");
      expect(result.compileOutput).toContain("cached warning");
    }
    expect(await lookups("error")).toBe(2);
    expect(await lookups("hit")).toBe(0);
    expect(await fills("error")).toBe(2);
    down.disconnect();
  });

  it("compiles without waiting when Redis is connected but does not answer in time", async () => {
    const { cache, lookups } = cacheOver();
    const files = [{ name: "main.c", content: warningC(randomBytes(4).toString("hex")) }];
    await run(cache, "c", files);
    await cache.settled();
    // Writes wait (the lookup, GETEX, is one) for longer than a lookup may take; the connection stays ready.
    await redis.call("CLIENT", "PAUSE", "1500", "WRITE");
    const slow = await run(cache, "c", files);
    expect(await lookups("error")).toBe(1);
    expect(await lookups("hit")).toBe(0);
    expect(slow.status).toBe("succeeded");
    expect(slow.compileOutput).toContain("cached warning");
    await redis.call("CLIENT", "UNPAUSE");
  });

  it("drops a build that does not unpack and fails the attempt as the sandbox's fault (the retry compiles)", async () => {
    const { cache, prefix } = cacheOver();
    const files = [{ name: "main.c", content: warningC(randomBytes(4).toString("hex")) }];
    const key = `${prefix}${cache.keyOf(language("c"), files)}`;
    await redis.set(key, encodeEntry({ tar: Buffer.from("not a tar archive"), compileOutput: Buffer.alloc(0) }), "EX", 60);
    await expect(run(cache, "c", files)).rejects.toBeInstanceOf(SandboxInfrastructureError);
    await eventually("the broken entry is gone", async () => (await redis.exists(key)) === 0);
    const retried = await run(cache, "c", files);
    expect(retried.status).toBe("succeeded");
    expect(retried.compileOutput).toContain("cached warning");
  });

  it("does not build in the background while the runner is busy", async () => {
    const { cache, prefix, fills } = cacheOver(redis, true);
    const files = [{ name: "main.c", content: warningC(randomBytes(4).toString("hex")) }];
    await run(cache, "c", files);
    await cache.settled();
    expect(await fills("skipped_busy")).toBe(1);
    expect(await redis.exists(`${prefix}${cache.keyOf(language("c"), files)}`)).toBe(0);
  });

  it("serves a grading's build step, and keeps a grading's build for later runs", async () => {
    const { cache, prefix, lookups } = cacheOver();
    const sandboxes: string[] = [];
    const env = sandboxGradingEnv({
      driver,
      languages: new Map([["c", language("c")]]),
      diskMb: DEFAULT_POLICY.diskMb,
      policy: DEFAULT_POLICY,
      signal: new AbortController().signal,
      log: pino({ level: "silent" }),
      onSandbox: (kind) => sandboxes.push(kind),
      compileCache: cache,
    });
    // A run first: its build (filled in the background) spares the grading its build sandbox.
    const ran = [{ name: "main.c", content: warningC(randomBytes(4).toString("hex")) }];
    await run(cache, "c", ran);
    await cache.settled();
    const built = await env.build("c", ran);
    expect(built.ok).toBe(true);
    expect(sandboxes).toEqual([]);
    const graded = await env.run({ language: "c", files: ran, build: built.ok ? built.tar : null, limits: env.limitsFor("c") });
    expect(graded.stdout).toContain("hello");

    // A grading first: the build it made serves the next run of the same files.
    const graded2 = [{ name: "main.c", content: warningC(randomBytes(4).toString("hex")) }];
    expect((await env.build("c", graded2)).ok).toBe(true);
    expect(sandboxes).toEqual(["run", "build"]);
    await eventually("the grading's build is stored", async () => (await redis.exists(`${prefix}${cache.keyOf(language("c"), graded2)}`)) === 1);
    const hitsBefore = await lookups("hit");
    const after = await run(cache, "c", graded2);
    expect(await lookups("hit")).toBe(hitsBefore + 1);
    expect(after.compileOutput).toContain("cached warning");
  });
});
