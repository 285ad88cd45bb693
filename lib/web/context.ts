import type { Logger } from "pino";
import type { Redis } from "ioredis";
import { loadConfig, type Config } from "../config/env";
import { database, type Database } from "../db/client";
import { redis } from "../redis/connection";
import { createLogger } from "../log";
import { LoginRateLimiter } from "../accounts/login-rate-limit";

/**
 * What route handlers and pages need, made once per web process. web/server.ts
 * validated the environment before Next.js loaded, so loading it here cannot fail.
 */
export interface WebContext {
  config: Config;
  db: Database;
  redis: Redis;
  log: Logger;
  loginLimiter: LoginRateLimiter;
  /** SAM_SECRET (web/server.ts resolved it before Next.js loaded): signs room tokens. */
  secret: string;
}

const holder = globalThis as typeof globalThis & { __samWeb?: WebContext };

export function web(): WebContext {
  if (!holder.__samWeb) {
    const config = loadConfig();
    const client = redis();
    holder.__samWeb = {
      config,
      db: database(),
      redis: client,
      log: createLogger("web", config.LOG_LEVEL),
      secret: process.env.SAM_SECRET!,
      loginLimiter: new LoginRateLimiter(client, {
        maxFailuresPerUserAndAddress: config.SAM_LOGIN_MAX_FAILURES_PER_USER,
        maxFailuresPerUser: config.SAM_LOGIN_MAX_FAILURES_PER_ACCOUNT,
        maxAttemptsPerIp: config.SAM_LOGIN_MAX_ATTEMPTS_PER_IP,
        windowSeconds: config.SAM_LOGIN_WINDOW_SECONDS,
      }),
    };
  }
  return holder.__samWeb;
}
