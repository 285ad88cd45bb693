import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * SAM_SECRET signs sessions and tokens. When it is not set, one is generated
 * on first start and kept in SAM_DATA_DIR/secret (mode 0600), so restarts keep
 * everyone signed in. Several machines must share one value: set SAM_SECRET.
 */
export function resolveSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, "secret");
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(file, randomBytes(48).toString("base64url"), { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const secret = fs.readFileSync(file, "utf8").trim();
  if (secret.length < 32) throw new Error(`${file} holds a secret shorter than 32 characters; delete it to make a new one`);
  return secret;
}
