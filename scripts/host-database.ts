import fs from "node:fs";
import path from "node:path";
import type { Config } from "../lib/config/env";
import { createDatabase, type Database } from "../lib/db/client";
import { embeddedDatabaseUrl } from "../supervisor/embedded-postgres";

/**
 * The database a host's command (`npm run invite`, `npm run admin`) works on:
 * DATABASE_URL, or the embedded PostgreSQL of SAM_DATA_DIR while `npm start`
 * runs. Without either it says what to do and exits 2.
 */
export function hostDatabase(config: Config): Database {
  const url = process.env.DATABASE_URL ?? (fs.existsSync(path.join(config.dataDir, "postgres.password")) ? embeddedDatabaseUrl(config.dataDir) : undefined);
  if (!url) {
    process.stderr.write(
      `No database found: set DATABASE_URL, or run this where SAM_DATA_DIR (${config.dataDir}) is the data dir of a running \`npm start\`.\n`,
    );
    process.exit(2);
  }
  return createDatabase(url);
}
