import { createInvite, inviteUrl } from "../lib/accounts/invites";
import { loadConfigOrExit } from "../lib/config/env";
import { hostDatabase } from "./host-database";

/**
 * `npm run invite`: the host makes a one-time sign-up link. This is how an
 * instance with SAM_REGISTRATION=closed (or invite, before anyone has an
 * account) gets its accounts. It talks to DATABASE_URL, or to the embedded
 * PostgreSQL of SAM_DATA_DIR while `npm start` runs. The link lasts
 * SAM_INVITE_DAYS and is printed once; only its hash is stored.
 */
const config = loadConfigOrExit();
const db = hostDatabase(config);
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
