import { testCompileCache } from "../support/compile-cache";
import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { DEFAULT_POLICY, resolveLimits } from "../../lib/executions/limits";
import { OutputBudget } from "../../lib/executions/output-budget";
import { createRedis } from "../../lib/redis/connection";
import type { CompileCache } from "../../runner/execution/compile-cache";
import { executeProgram } from "../../runner/execution/execute";
import { sandboxGradingEnv } from "../../runner/grading/sandbox-env";
import type { SandboxDriver } from "../../runner/sandbox/driver";
import { attackSuite } from "../support/attack-suite";
import { language } from "../support/drivers";
import { eventually } from "../support/rooms";

/**
 * Filling Redis through the compile cache (runner/execution/compile-cache.ts).
 * Every distinct C program that compiles leaves a build of up to 2 MiB in
 * Redis for an hour, and Redis must not evict (BullMQ): one account running
 * distinct programs with a large initialised array (60 runs a minute) put
 * about 7 GiB an hour there, 28 times its output budget, the limit on what
 * an account's runs may put through Redis, until Redis refused the queue's
 * writes for everyone. A build is now counted against the account whose run
 * made the miss, like its output, and not kept when it does not fit.
 */
const redis = createRedis(inject("redisUrl"));
beforeAll(async () => {
  await redis.ping();
});
afterAll(() => redis.disconnect());

function cacheOver(driver: SandboxDriver, prefix: string): CompileCache {
  // The whole cache's cap is not what this attack is about (compile-cache.test.ts covers it): none here.
  return testCompileCache({ redis, driver, prefix });
}

/** A program whose build is about `kb` KiB: an initialised array the compiler cannot drop lives in the binary. */
const bigBinary = (kb: number, tag: string) =>
  `#include <stdio.h>\nchar big[${kb * 1024}] = {1};\nint main(int argc, char **argv) { (void)argv; printf("${tag} %d\\n", big[argc - 1]); return 0; }\n`;

attackSuite("filling Redis through the compile cache", ({ driver }) => {
  it("a build is counted against its account's output budget, and not kept when it does not fit", async () => {
    const prefix = `test:compile-cache-memory:${randomBytes(6).toString("hex")}:`;
    const cache = cacheOver(driver(), prefix);
    // A budget of 256 KiB: the 600 KiB build does not fit; a small one does, and is counted.
    const budget = new OutputBudget(redis, { bytes: 256 * 1024, windowSeconds: 120 });
    const account = `attacker-${randomBytes(6).toString("hex")}`;
    const c = language("c");
    const run = (source: string) =>
      executeProgram(
        driver(),
        c,
        { files: [{ name: "main.c", content: source }], stdin: "", args: [] },
        resolveLimits(DEFAULT_POLICY, c.limits, {}),
        DEFAULT_POLICY.diskMb,
        { chargeBuild: (bytes) => budget.consume(account, bytes) },
        cache,
      );
    const tag = randomBytes(4).toString("hex");
    const large = await run(bigBinary(600, tag));
    expect(large.stdout).toBe(`${tag} 1\n`);
    await cache.settled();
    expect(await redis.keys(`${prefix}*`)).toEqual([]);

    const other = `student-${randomBytes(6).toString("hex")}`;
    const small = await executeProgram(
      driver(),
      c,
      { files: [{ name: "main.c", content: bigBinary(1, tag) }], stdin: "", args: [] },
      resolveLimits(DEFAULT_POLICY, c.limits, {}),
      DEFAULT_POLICY.diskMb,
      { chargeBuild: (bytes) => budget.consume(other, bytes) },
      cache,
    );
    expect(small.stdout).toBe(`${tag} 1\n`);
    await cache.settled();
    const [key] = await redis.keys(`${prefix}*`);
    expect(key).toBeDefined();
    const stored = (await redis.strlen(key!)) as number;
    // What the small build cost its account is exactly what it holds in Redis.
    const left = await redis.get(`sam:budget:output:${other}`);
    expect(Number(left)).toBe(stored);
  });

  it("a grading's build is counted the same, and not kept when it does not fit", async () => {
    const prefix = `test:compile-cache-memory:${randomBytes(6).toString("hex")}:`;
    const cache = cacheOver(driver(), prefix);
    const budget = new OutputBudget(redis, { bytes: 256 * 1024, windowSeconds: 120 });
    const account = `grader-${randomBytes(6).toString("hex")}`;
    const env = sandboxGradingEnv({
      driver: driver(),
      languages: new Map([["c", language("c")]]),
      diskMb: DEFAULT_POLICY.diskMb,
      policy: DEFAULT_POLICY,
      signal: new AbortController().signal,
      log: pino({ level: "silent" }),
      compileCache: cache,
      chargeBuild: (bytes) => budget.consume(account, bytes),
    });
    const built = await env.build("c", [{ name: "main.c", content: bigBinary(600, randomBytes(4).toString("hex")) }]);
    expect(built.ok).toBe(true);
    // The build was offered to the cache in the background: counted (over the budget), then not kept.
    await eventually("the build to be counted", async () => Number(await redis.get(`sam:budget:output:${account}`)) > 600 * 1024);
    await new Promise((r) => setTimeout(r, 200));
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
  });
});
