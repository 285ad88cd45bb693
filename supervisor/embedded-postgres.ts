import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startProcess, stopProcess, tail, waitFor, type ManagedProcess } from "./child";

/**
 * A PostgreSQL of our own for when DATABASE_URL is not set: a cluster in
 * <dataDir>/postgres that listens only on a unix socket in <dataDir>/run, with
 * a generated password (scram-sha-256) kept in <dataDir>/postgres.password.
 *
 * PostgreSQL refuses to run as root, so as root the server runs as the
 * `postgres` system user (created by Debian's package) and owns its directory.
 */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

const DB_NAME = "sam";
const DB_USER = "sam";

export function findPostgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root)
    ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, "bin", "postgres")))
    : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)");
  return path.join(root, versions[0], "bin");
}

function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const r = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const g = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error("running as root needs the `postgres` system user (apt-get install postgresql)");
  return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

export async function startEmbeddedPostgres(dataDir: string, log: (msg: string) => void): Promise<EmbeddedPostgres> {
  const bin = findPostgresBin();
  const pgData = path.join(dataDir, "postgres");
  const runDir = path.join(dataDir, "run");
  const logFile = path.join(dataDir, "logs", "postgres.log");
  const passwordFile = path.join(dataDir, "postgres.password");
  const owner = serverUser();
  for (const dir of [dataDir, runDir, path.dirname(logFile)]) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (owner) {
    // The server writes its socket and log here; nobody else may list them.
    fs.chownSync(runDir, owner.uid, owner.gid);
    fs.closeSync(fs.openSync(logFile, "a", 0o600));
    fs.chownSync(logFile, owner.uid, owner.gid);
    // The data dir's parents must let the postgres user through.
    fs.chmodSync(dataDir, 0o711);
    const probe = spawnSync("test", ["-w", runDir], { uid: owner.uid, gid: owner.gid });
    if (probe.status !== 0) {
      throw new Error(
        `the postgres system user cannot reach ${runDir}: a parent folder is closed to other users. ` +
          `Set SAM_DATA_DIR to a path it can reach (e.g. /var/lib/sam) or set DATABASE_URL.`,
      );
    }
  }

  if (!fs.existsSync(passwordFile)) {
    fs.writeFileSync(passwordFile, randomBytes(24).toString("base64url"), { mode: 0o600 });
  }
  const password = fs.readFileSync(passwordFile, "utf8").trim();

  if (!fs.existsSync(path.join(pgData, "PG_VERSION"))) {
    log(`creating the database cluster in ${pgData}`);
    fs.mkdirSync(pgData, { recursive: true, mode: 0o700 });
    const pwTemp = path.join(os.tmpdir(), `sam-pw-${randomBytes(6).toString("hex")}`);
    fs.writeFileSync(pwTemp, password, { mode: 0o600 });
    try {
      if (owner) {
        fs.chownSync(pgData, owner.uid, owner.gid);
        fs.chownSync(pwTemp, owner.uid, owner.gid);
      }
      const init = spawnSync(
        path.join(bin, "initdb"),
        ["-D", pgData, "-U", DB_USER, "--auth=scram-sha-256", `--pwfile=${pwTemp}`, "-E", "UTF8", "--locale=C"],
        { uid: owner?.uid, gid: owner?.gid, encoding: "utf8", cwd: "/" },
      );
      if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
    } finally {
      fs.rmSync(pwTemp, { force: true });
    }
  }

  const server: ManagedProcess = startProcess(
    "postgres",
    path.join(bin, "postgres"),
    ["-D", pgData, "-k", runDir, "-c", "listen_addresses=", "-c", "unix_socket_permissions=0700", "-c", "max_connections=200"],
    { uid: owner?.uid, gid: owner?.gid, cwd: "/", logFile, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C", NODE_ENV: "production" } },
  );
  let exitedEarly: string | undefined;
  void server.exited.then((code) => (exitedEarly = `exited with ${code}\n${tail(logFile)}`));

  const adminUrl = `postgresql://${DB_USER}:${encodeURIComponent(password)}@localhost/postgres?host=${encodeURIComponent(runDir)}`;
  await waitFor(
    "PostgreSQL",
    async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.end();
      return true;
    },
    60000,
    () => exitedEarly,
  );
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [DB_NAME]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${DB_NAME}`);
  await admin.end();

  return {
    url: `postgresql://${DB_USER}:${encodeURIComponent(password)}@localhost/${DB_NAME}?host=${encodeURIComponent(runDir)}`,
    // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
    stop: async () => {
      await stopProcess(server, "SIGINT", 30000);
    },
  };
}
