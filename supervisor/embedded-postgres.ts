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
 * As root, see chooseRunMode() for whom the server runs as.
 */
export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

const DB_NAME = "sam";
const DB_USER = "sam";

export function findPostgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, "bin", "postgres"))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)");
  return path.join(root, versions[0], "bin");
}

/**
 * How the server runs. PostgreSQL refuses to run as root, so as root:
 *  - "system-user": as Debian's `postgres` user, which then owns the cluster;
 *    needs every parent of SAM_DATA_DIR to let that user through;
 *  - "user-namespace": where it cannot (say SAM_DATA_DIR is under /root, mode 0700),
 *    inside a user namespace where our uid 0 appears as an ordinary uid, so
 *    PostgreSQL accepts it and the files stay root's; it gains no capabilities on the host.
 * An existing cluster keeps the mode it was created with (its owner tells).
 */
type RunMode = { kind: "self" } | { kind: "system-user"; uid: number; gid: number } | { kind: "user-namespace"; uid: number; gid: number };

function idOf(flag: "-u" | "-g"): number | undefined {
  const r = spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  return r.status === 0 ? Number(r.stdout.trim()) : undefined;
}

function chooseRunMode(dataDir: string, pgData: string): RunMode {
  if (process.getuid?.() !== 0) return { kind: "self" };
  const uid = idOf("-u");
  const gid = idOf("-g");
  if (uid !== undefined && gid !== undefined) {
    const existingOwner = fs.existsSync(path.join(pgData, "PG_VERSION")) ? fs.statSync(pgData).uid : undefined;
    if (existingOwner === uid) return { kind: "system-user", uid, gid };
    // Reaching the parent proves every ancestor lets the user through; dataDir itself is made 0711 below.
    if (existingOwner === undefined && spawnSync("test", ["-x", path.dirname(dataDir)], { uid, gid }).status === 0) {
      return { kind: "system-user", uid, gid };
    }
  }
  const inner = { uid: uid ?? 1000, gid: gid ?? 1000 };
  const probe = spawnSync("unshare", ["--user", `--map-user=${inner.uid}`, `--map-group=${inner.gid}`, "--", "true"]);
  if (probe.status !== 0) {
    throw new Error(
      `PostgreSQL cannot run as root, the postgres user cannot reach ${dataDir}, and user namespaces are unavailable. ` +
        `Set SAM_DATA_DIR to a path every user can traverse (e.g. /var/lib/sam), or set DATABASE_URL.`,
    );
  }
  return { kind: "user-namespace", ...inner };
}

/** The command line and spawn options that run a PostgreSQL binary in `mode`. */
function asServer(mode: RunMode, binary: string, args: string[]) {
  if (mode.kind === "user-namespace") {
    return { command: "unshare", args: ["--user", `--map-user=${mode.uid}`, `--map-group=${mode.gid}`, "--", binary, ...args], ids: {} };
  }
  return { command: binary, args, ids: mode.kind === "system-user" ? { uid: mode.uid, gid: mode.gid } : {} };
}

/** Where the embedded PostgreSQL of `dataDir` is reached while it runs (for tools such as `npm run invite`). */
export function embeddedDatabaseUrl(dataDir: string): string {
  const password = fs.readFileSync(path.join(dataDir, "postgres.password"), "utf8").trim();
  const runDir = path.join(dataDir, "run");
  return `postgresql://${DB_USER}:${encodeURIComponent(password)}@localhost/${DB_NAME}?host=${encodeURIComponent(runDir)}`;
}

export async function startEmbeddedPostgres(dataDir: string, log: (msg: string) => void): Promise<EmbeddedPostgres> {
  const bin = findPostgresBin();
  const pgData = path.join(dataDir, "postgres");
  const runDir = path.join(dataDir, "run");
  const logFile = path.join(dataDir, "logs", "postgres.log");
  const passwordFile = path.join(dataDir, "postgres.password");
  const mode = chooseRunMode(dataDir, pgData);
  for (const dir of [dataDir, runDir, path.dirname(logFile)]) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const owner = mode.kind === "system-user" ? mode : undefined;
  if (owner) {
    // The server writes its socket and log here; nobody else may list them.
    fs.chownSync(runDir, owner.uid, owner.gid);
    fs.closeSync(fs.openSync(logFile, "a", 0o600));
    fs.chownSync(logFile, owner.uid, owner.gid);
    // The postgres user must be able to pass through the data dir to its own folders.
    fs.chmodSync(dataDir, 0o711);
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
      const initdb = asServer(mode, path.join(bin, "initdb"), [
        "-D",
        pgData,
        "-U",
        DB_USER,
        "--auth=scram-sha-256",
        `--pwfile=${pwTemp}`,
        "-E",
        "UTF8",
        "--locale=C",
      ]);
      const init = spawnSync(initdb.command, initdb.args, { ...initdb.ids, encoding: "utf8", cwd: "/" });
      if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
    } finally {
      fs.rmSync(pwTemp, { force: true });
    }
  }

  // unshare execs the server in place, so signals sent to the child reach PostgreSQL itself.
  const postgres = asServer(mode, path.join(bin, "postgres"), [
    "-D",
    pgData,
    "-k",
    runDir,
    "-c",
    "listen_addresses=",
    "-c",
    "unix_socket_permissions=0700",
    "-c",
    "max_connections=200",
  ]);
  const server: ManagedProcess = startProcess("postgres", postgres.command, postgres.args, {
    ...postgres.ids,
    cwd: "/",
    logFile,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C", NODE_ENV: "production" },
  });
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
    url: embeddedDatabaseUrl(dataDir),
    // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
    stop: async () => {
      await stopProcess(server, "SIGINT", 30000);
    },
  };
}
