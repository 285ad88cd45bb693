import type { TestProject } from "vitest/node";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { ensureRootfs, ensureRuntimeImage } from "../runner/images/runtime-image";
import { startBacking, startService } from "./support/stack";

/**
 * Starts, once for the whole run: a real PostgreSQL and Redis in a temp dir,
 * and the built web app against them. Tests reach them through inject().
 * The web app trusts X-Forwarded-For here so tests can act as many clients,
 * and the login limits are low so tests can reach them quickly.
 */
declare module "vitest" {
  export interface ProvidedContext {
    webUrl: string;
    webLogFile: string;
    databaseUrl: string;
    redisUrl: string;
    dataDir: string;
    loginLimits: { perUser: number; perAccount: number; perIp: number };
    imageTag: string;
    rootfs: string;
    sandboxDir: string;
    runnerUrl: string;
    collabUrl: string;
    metricsToken: string;
  }
}

/** perUser: failures per (username, address); perAccount: per username from every address; perIp: attempts per address. */
export const LOGIN_LIMITS = { perUser: 5, perAccount: 15, perIp: 20 };

/** Unpacked images are shared between test runs on one machine: building one takes minutes. */
export const TEST_SANDBOX_DIR = process.env.SAM_TEST_SANDBOX_DIR ?? "/var/tmp/sam-test-sandbox";

export default async function setup(project: TestProject) {
  const log = (m: string) => process.stderr.write(`[global-setup] ${m}\n`);
  const imageTag = await ensureRuntimeImage({ engine: "podman", log });
  const rootfs = await ensureRootfs({ engine: "podman", log }, imageTag, path.join(TEST_SANDBOX_DIR, "images"));
  const backing = await startBacking();
  // Every service serves /metrics to this token (tests/integration/metrics-*.test.ts scrape them).
  const metricsToken = randomBytes(24).toString("hex");
  const collab = await startService("collab/main.ts", backing, { SAM_COLLAB_STORE_DEBOUNCE_MS: "300", SAM_METRICS_TOKEN: metricsToken });
  const web = await startService("web/server.ts", backing, {
    SAM_COLLAB_URL: collab.url,
    SAM_TRUST_PROXY: "true",
    SAM_LOGIN_MAX_FAILURES_PER_USER: String(LOGIN_LIMITS.perUser),
    SAM_LOGIN_MAX_FAILURES_PER_ACCOUNT: String(LOGIN_LIMITS.perAccount),
    SAM_LOGIN_MAX_ATTEMPTS_PER_IP: String(LOGIN_LIMITS.perIp),
    SAM_RUNS_PER_MINUTE: "100000",
    SAM_METRICS_TOKEN: metricsToken,
  });
  // The runner uses the oci driver here; the contract suites drive both drivers directly.
  const runner = await startService("runner/main.ts", backing, {
    SAM_SANDBOX_DIR: TEST_SANDBOX_DIR,
    SAM_SANDBOX_DRIVER: "oci",
    SAM_METRICS_TOKEN: metricsToken,
  });
  project.provide("webUrl", web.url);
  project.provide("imageTag", imageTag);
  project.provide("rootfs", rootfs);
  project.provide("sandboxDir", TEST_SANDBOX_DIR);
  project.provide("runnerUrl", runner.url);
  project.provide("collabUrl", collab.url);
  project.provide("metricsToken", metricsToken);
  project.provide("webLogFile", web.logFile);
  project.provide("databaseUrl", backing.databaseUrl);
  project.provide("redisUrl", backing.redisUrl);
  project.provide("dataDir", backing.dataDir);
  project.provide("loginLimits", LOGIN_LIMITS);
  return async () => {
    await runner.stop();
    await web.stop();
    await collab.stop();
    await backing.stop();
  };
}
