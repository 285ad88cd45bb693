import { spawnSync } from "node:child_process";
import { inject } from "vitest";
import { ROOT, startService, type Backing, type RunningService } from "./stack";

/** The suite's own PostgreSQL and Redis (tests/global-setup.ts), for starting more services with other settings. */
export function sharedBacking(): Backing {
  return { dataDir: inject("dataDir"), databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl"), stop: async () => undefined };
}

/** Another web process on the shared backing, trusting X-Forwarded-For like the suite's own, with `env` on top. */
export function startWeb(env: Record<string, string>): Promise<RunningService> {
  return startService("web/server.ts", sharedBacking(), { SAM_TRUST_PROXY: "true", ...env });
}

/** `npm run invite` as a host runs it; returns the printed link. */
export function hostInvite(publicUrl: string): string {
  const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/invite.ts"], {
    cwd: ROOT,
    encoding: "utf8",
    env: {
      NODE_ENV: "production",
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: inject("databaseUrl"),
      SAM_PUBLIC_URL: publicUrl,
      SAM_DATA_DIR: inject("dataDir"),
    },
  });
  if (run.status !== 0) throw new Error(`npm run invite failed (${run.status}): ${run.stderr}`);
  return run.stdout.trim();
}

export const tokenOfInviteUrl = (url: string) => new URL(url).hash.replace(/^#invite=/, "");
