import fs from "node:fs";
import path from "node:path";
import { listAdmins, setSystemRole, UnknownAccountError } from "../lib/accounts/system-roles";
import { loadConfigOrExit } from "../lib/config/env";
import { createDatabase } from "../lib/db/client";
import { embeddedDatabaseUrl } from "../supervisor/embedded-postgres";

/**
 * `npm run admin -- grant NAME | revoke NAME | list`: the host gives or takes
 * the server-wide admin role (the queue page and dead letters). It talks to
 * DATABASE_URL, or to the embedded PostgreSQL of SAM_DATA_DIR while
 * `npm start` runs, like `npm run invite`. A change takes effect on the
 * account's next request: the role is read from the database every time.
 */
const USAGE = "Usage: npm run admin -- grant <username> | revoke <username> | list\n";
const [command, username, ...rest] = process.argv.slice(2);
if (!(command === "list" && !username) && !((command === "grant" || command === "revoke") && username && rest.length === 0)) {
  process.stderr.write(USAGE);
  process.exit(2);
}

const config = loadConfigOrExit();
const url = process.env.DATABASE_URL ?? (fs.existsSync(path.join(config.dataDir, "postgres.password")) ? embeddedDatabaseUrl(config.dataDir) : undefined);
if (!url) {
  process.stderr.write(`No database found: set DATABASE_URL, or run this where SAM_DATA_DIR (${config.dataDir}) is the data dir of a running \`npm start\`.\n`);
  process.exit(2);
}
const db = createDatabase(url);
try {
  if (command === "list") {
    for (const admin of await listAdmins(db)) process.stdout.write(`${admin.username}\n`);
  } else {
    const changed = await setSystemRole(db, username!, command === "grant" ? "admin" : "user");
    const now = command === "grant" ? "is an admin" : "is no longer an admin";
    process.stderr.write(`${username} ${now}${changed ? "" : " (it already was so)"}.\n`);
  }
} catch (err) {
  if (err instanceof UnknownAccountError) {
    process.stderr.write(`No account is named "${err.username}"; the person signs up first.\n`);
    process.exitCode = 3;
  } else {
    process.stderr.write(`Could not change the role: ${(err as Error).message}\nIs SAM running (npm start), or DATABASE_URL right?\n`);
    process.exitCode = 1;
  }
} finally {
  await db.$disconnect();
}
