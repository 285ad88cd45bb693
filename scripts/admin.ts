import { listAdmins, setSystemRole, UnknownAccountError } from "../lib/accounts/system-roles";
import { loadConfigOrExit } from "../lib/config/env";
import { hostDatabase } from "./host-database";

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
const db = hostDatabase(config);
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
