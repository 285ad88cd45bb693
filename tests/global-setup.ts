import type { TestProject } from "vitest/node";
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
    loginLimits: { perUser: number; perIp: number };
  }
}

export const LOGIN_LIMITS = { perUser: 5, perIp: 20 };

export default async function setup(project: TestProject) {
  const backing = await startBacking();
  const web = await startService("web/server.ts", backing, {
    SAM_TRUST_PROXY: "true",
    SAM_LOGIN_MAX_FAILURES_PER_USER: String(LOGIN_LIMITS.perUser),
    SAM_LOGIN_MAX_ATTEMPTS_PER_IP: String(LOGIN_LIMITS.perIp),
  });
  project.provide("webUrl", web.url);
  project.provide("webLogFile", web.logFile);
  project.provide("databaseUrl", backing.databaseUrl);
  project.provide("redisUrl", backing.redisUrl);
  project.provide("dataDir", backing.dataDir);
  project.provide("loginLimits", LOGIN_LIMITS);
  return async () => {
    await web.stop();
    await backing.stop();
  };
}
