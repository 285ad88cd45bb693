import { migrate } from "../lib/db/migrate";

// `npm run migrate`: applies pending migrations to DATABASE_URL (for shared servers).
const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write("DATABASE_URL must be set; `npm start` migrates its embedded database by itself.\n");
  process.exit(2);
}
const result = await migrate(url);
process.stdout.write(`applied ${result.applied.length} migration(s)${result.applied.length ? `: ${result.applied.join(", ")}` : ""}\n`);
