import { testCompileCache } from "../support/compile-cache";
import { randomBytes } from "node:crypto";
import { Registry } from "prom-client";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { DEFAULT_POLICY, resolveLimits } from "../../lib/executions/limits";
import { CompileCacheMetrics } from "../../lib/metrics/compile-cache";
import { createRedis } from "../../lib/redis/connection";
import type { CompileCache } from "../../runner/execution/compile-cache";
import { executeProgram } from "../../runner/execution/execute";
import type { SandboxDriver } from "../../runner/sandbox/driver";
import { attackSuite } from "../support/attack-suite";
import { language } from "../support/drivers";

/**
 * Poisoning the compile cache (runner/execution/compile-cache.ts): a build
 * cached for one program must never serve another, and nothing a program
 * does while it runs may reach a cached build. Attacks: a program that
 * differs from a cached one only in a file's name, or by an extra file (whose
 * constructor would run in the other's program); a program that replaces its
 * own binary while it runs, hoping the next identical run gets its version.
 * And filling Redis: every distinct program made an entry of up to 2 MiB for
 * an hour, so a user's runs at the run rate limit (60 a minute) could hold
 * GiBs of Redis (which must not evict: BullMQ), until Redis refused every
 * write, queues included, or the host ran out of memory.
 */
const redis = createRedis(inject("redisUrl"));
beforeAll(async () => {
  await redis.ping();
});
afterAll(() => redis.disconnect());

const PREFIX = `test:compile-cache-attack:${randomBytes(6).toString("hex")}:`;

/** A cache of its own per test (the suite's prefix plus a test's), so no test sees another's builds. */
function cacheOver(
  driver: SandboxDriver,
  prefix = `${PREFIX}${randomBytes(4).toString("hex")}:`,
  maxRedisBytes = 1024 ** 4,
  metrics?: CompileCacheMetrics,
): CompileCache {
  return testCompileCache({ redis, driver, maxRedisBytes, metrics, prefix });
}

function runC(driver: SandboxDriver, cache: CompileCache, files: Array<{ name: string; content: string }>) {
  const c = language("c");
  return executeProgram(driver, c, { files, stdin: "", args: [] }, resolveLimits(DEFAULT_POLICY, c.limits, {}), DEFAULT_POLICY.diskMb, {}, cache);
}

const MAIN = `#include <stdio.h>\nint main(void) { puts("main says hi"); return 0; }\n`;
/** Compiled in (its name ends in .c), it runs before main and says so. */
const INJECTED = `#include <stdio.h>\n__attribute__((constructor)) static void injected(void) { puts("INJECTED"); }\n`;

attackSuite("compile cache poisoning", ({ driver }) => {
  it("a program differing only in a file's name never gets the other's build", async () => {
    const cache = cacheOver(driver());
    const tag = `/* ${randomBytes(4).toString("hex")} */\n`;
    const withC = await runC(driver(), cache, [
      { name: "main.c", content: tag + MAIN },
      { name: "extra.c", content: INJECTED },
    ]);
    await cache.settled();
    expect(withC.stdout).toBe("INJECTED\nmain says hi\n");
    // The same bytes under a name the compile step does not pick up: a different build.
    const withTxt = await runC(driver(), cache, [
      { name: "main.c", content: tag + MAIN },
      { name: "extra.txt", content: INJECTED },
    ]);
    await cache.settled();
    expect(withTxt.stdout).toBe("main says hi\n");
    // And each, run again (now from its own cached build), still gets its own.
    expect(
      (
        await runC(driver(), cache, [
          { name: "main.c", content: tag + MAIN },
          { name: "extra.c", content: INJECTED },
        ])
      ).stdout,
    ).toBe("INJECTED\nmain says hi\n");
    expect(
      (
        await runC(driver(), cache, [
          { name: "main.c", content: tag + MAIN },
          { name: "extra.txt", content: INJECTED },
        ])
      ).stdout,
    ).toBe("main says hi\n");
  });

  it("a program without an extra file never gets the build that had it", async () => {
    const cache = cacheOver(driver());
    const tag = `/* ${randomBytes(4).toString("hex")} */\n`;
    await runC(driver(), cache, [
      { name: "main.c", content: tag + MAIN },
      { name: "evil.c", content: INJECTED },
    ]);
    await cache.settled();
    const plain = await runC(driver(), cache, [{ name: "main.c", content: tag + MAIN }]);
    expect(plain.stdout).toBe("main says hi\n");
  });

  it("a program that replaces its own binary while it runs does not change the cached build", async () => {
    const prefix = `${PREFIX}tamper-${randomBytes(4).toString("hex")}:`;
    const cache = cacheOver(driver(), prefix);
    const tamper = `#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
/* ${randomBytes(4).toString("hex")} */
int main(void) {
  puts("original");
  unlink("/tmp/sam-program");
  FILE *f = fopen("/tmp/sam-program", "w");
  /* Written in parts: the binary itself must not hold the replacement's text. */
  if (f) { fprintf(f, "#!/bin/sh\\necho %s%s\\n", "TAMP", "ERED"); fclose(f); chmod("/tmp/sam-program", 0755); puts("replaced"); }
  return 0;
}
`;
    const first = await runC(driver(), cache, [{ name: "main.c", content: tamper }]);
    expect(first.stdout).toBe("original\nreplaced\n");
    await cache.settled();
    for (let i = 0; i < 2; i++) {
      const again = await runC(driver(), cache, [{ name: "main.c", content: tamper }]);
      expect(again.status).toBe("succeeded");
      expect(again.stdout).toBe("original\nreplaced\n");
    }
    // It was served from the cache (the build is there), and the build is the compiler's, not the replacement.
    const stored = await redis.getBuffer(`${prefix}${cache.keyOf(language("c"), [{ name: "main.c", content: tamper }])}`);
    expect(stored).not.toBeNull();
    expect(stored!.includes(Buffer.from("echo TAMPERED"))).toBe(false);
  });

  it("many distinct programs cannot grow Redis past the cache's budget: no build is stored once Redis is that full", async () => {
    const prefix = `${PREFIX}budget-${randomBytes(4).toString("hex")}:`;
    const registry = new Registry();
    // A budget below what Redis already holds: as if distinct programs had filled it.
    const cache = cacheOver(driver(), prefix, 1, new CompileCacheMetrics(registry));
    const files = [{ name: "main.c", content: `/* ${randomBytes(4).toString("hex")} */\n${MAIN}` }];
    const run = await runC(driver(), cache, files);
    expect(run.stdout).toBe("main says hi\n");
    await cache.settled();
    expect(await redis.exists(`${prefix}${cache.keyOf(language("c"), files)}`)).toBe(0);
    // The build was made and refused for the budget (not a build that failed).
    const fills = (await registry.getSingleMetric("sam_compile_cache_fills_total")?.get())?.values ?? [];
    expect(fills.map((v) => [v.labels.result, v.value])).toEqual([["redis_full", 1]]);
  });
});
