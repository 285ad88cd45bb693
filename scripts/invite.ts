import fs from "node:fs";
import path from "node:path";
import { createInvite, inviteUrl } from "../lib/accounts/invites";
import { loadConfigOrExit } from "../lib/config/env";
import { createDatabase } from "../lib/db/client";
import { embeddedDatabaseUrl } from "../supervisor/embedded-postgres";

/**
 * `npm run invite`: the host makes a one-time sign-up link. This is how an
 * instance with SAM_REGISTRATION=closed (or invite, before anyone has an
 * account) gets its accounts. It talks to DATABASE_URL, or to the embedded
 * PostgreSQL of SAM_DATA_DIR while `npm start` runs. The link lasts
 * SAM_INVITE_DAYS and is printed once; only its hash is stored.
 */
const config = loadConfigOrExit();
const url = process.env.DATABASE_URL ?? (fs.existsSync(path.join(config.dataDir, "postgres.password")) ? embeddedDatabaseUrl(config.dataDir) : undefined);
if (!url) {
  process.stderr.write(`No database found: set DATABASE_URL, or run this where SAM_DATA_DIR (${config.dataDir}) is the data dir of a running \`npm start\`.\n`);
  process.exit(2);
}
const db = createDatabase(url);
try {
  const invite = await createInvite(db, null, config.SAM_INVITE_DAYS);
  process.stdout.write(`${inviteUrl(config.publicUrl, invite.token)}\n`);
  process.stderr.write(`One-time invite, valid until ${invite.expiresAt.toISOString()}. It is shown only now.\n`);
  if (config.SAM_REGISTRATION === "open") process.stderr.write("Note: SAM_REGISTRATION is open here, so sign-up needs no invite.\n");
} catch (err) {
  process.stderr.write(`Could not make the invite: ${(err as Error).message}\nIs SAM running (npm start), or DATABASE_URL right?\n`);
  process.exitCode = 1;
} finally {
  await db.$disconnect();
}
