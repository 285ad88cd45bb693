import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { DEFAULT_POLICY, LIMIT_NAMES, MINIMUM_LIMITS, type LimitPolicy } from "../executions/limits";

/**
 * Every setting SAM Compiler reads from the environment, with its default.
 * docs/configuration.md documents the same list (tests/unit/config-docs.test.ts keeps them in step).
 * Start-up validates the environment against this schema and stops with a
 * message naming the variable when a value is wrong.
 */
const port = (fallback: number) =>
  z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be between 1 and 65535")
    .max(65535, "must be between 1 and 65535")
    .default(fallback);

const positiveInt = (fallback: number) =>
  z.coerce.number({ error: "must be a number" }).int("must be a whole number").positive("must be greater than 0").default(fallback);

const flag = z
  .enum(["true", "false", "1", "0", "yes", "no", ""], { error: 'must be "true" or "false"' })
  .default("false")
  .transform((v) => v === "true" || v === "1" || v === "yes");

const optionalPort = z.preprocess(
  (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
  z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be between 1 and 65535")
    .max(65535, "must be between 1 and 65535")
    .optional(),
);

const optionalUrl = (schemes: string[], example: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || isUrlWithScheme(v, schemes), {
      message: `must be a URL such as ${example}`,
    });

function isUrlWithScheme(value: string, schemes: string[]): boolean {
  if (schemes.includes("unix-path") && value.startsWith("/")) return true;
  try {
    return schemes.includes(new URL(value).protocol.replace(/:$/, ""));
  } catch {
    return false;
  }
}

const schema = z.object({
  PORT: port(8080),
  HOST: z.string().trim().min(1, "must not be empty").default("127.0.0.1"),
  SAM_DATA_DIR: z.string().trim().min(1, "must not be empty").default("./data"),
  SAM_PUBLIC_URL: optionalUrl(["http", "https"], "https://ide.example.org"),
  DATABASE_URL: optionalUrl(["postgres", "postgresql"], "postgresql://user:password@host:5432/sam"),
  REDIS_URL: optionalUrl(["redis", "rediss", "unix-path"], "redis://:password@host:6379"),
  SAM_SECRET: z
    .string()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || v.length >= 32, { message: "must be at least 32 characters long" }),
  // Unset: PORT+1 and PORT+2, so a second instance with another PORT does not collide.
  COLLAB_PORT: optionalPort,
  SAM_COLLAB_MAX_DOCUMENT_KB: positiveInt(16384),
  SAM_COLLAB_MAX_MESSAGE_KB: positiveInt(2048),
  SAM_COLLAB_MAX_CONNECTIONS_PER_USER: positiveInt(20),
  SAM_COLLAB_STORE_DEBOUNCE_MS: positiveInt(2000),
  SAM_COLLAB_URL: z.string().trim().url("must be a URL such as http://collab.internal:8081").optional(),
  // Room sockets before they authenticate (collab's gate and the web proxy), and roles re-read while connected.
  SAM_COLLAB_AUTH_TIMEOUT_MS: positiveInt(10_000),
  SAM_COLLAB_MAX_UNAUTHENTICATED_KB: positiveInt(64),
  SAM_COLLAB_MAX_ROOMS_PER_SOCKET: positiveInt(8),
  SAM_COLLAB_MAX_UNAUTHENTICATED_PER_IP: positiveInt(10),
  SAM_COLLAB_ROLE_RECHECK_MS: positiveInt(30_000),
  // What rooms may cost the collab process: Yjs structs per document, memory for all rooms, rooms per user, unsent bytes per socket.
  SAM_COLLAB_MAX_DOCUMENT_ITEMS: positiveInt(200_000),
  SAM_COLLAB_MEMORY_BUDGET_MB: positiveInt(1024),
  SAM_COLLAB_MAX_ROOMS_PER_USER: positiveInt(10),
  SAM_COLLAB_MAX_SEND_BUFFER_KB: positiveInt(4096),
  RUNNER_PORT: optionalPort,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Bearer token a Prometheus scrape of any service's /metrics must send; unset: /metrics answers 404 (off). */
  SAM_METRICS_TOKEN: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined))
    .refine((v) => v === undefined || v.length >= 16, { message: "must be at least 16 characters (e.g. the output of openssl rand -hex 32)" }),
  SAM_LOGIN_MAX_FAILURES_PER_USER: positiveInt(10),
  SAM_LOGIN_MAX_ATTEMPTS_PER_IP: positiveInt(100),
  SAM_LOGIN_WINDOW_SECONDS: positiveInt(900),
  SAM_SANDBOX_DRIVER: z.enum(["auto", "oci", "docker", "bwrap"], { error: 'must be "auto", "oci", "docker" or "bwrap"' }).default("auto"),
  SAM_OCI_RUNTIME: z.string().trim().min(1, "must not be empty").default("auto"),
  SAM_OCI_WARM_CONTAINERS: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(0, "must be 0 or more").default(2),
  // Builds of compiled languages kept in Redis, shared by every runner (runner/execution/compile-cache.ts).
  SAM_COMPILE_CACHE: z
    .enum(["true", "false", "1", "0", "yes", "no", ""], { error: 'must be "true" or "false"' })
    .default("true")
    .transform((v) => v === "" || v === "true" || v === "1" || v === "yes"),
  SAM_COMPILE_CACHE_TTL_SECONDS: positiveInt(3600),
  SAM_COMPILE_CACHE_MAX_ENTRY_KB: positiveInt(2048),
  SAM_COMPILE_CACHE_MAX_REDIS_MB: positiveInt(512),
  // The sandbox's kernel-facing policy (runner/sandbox): each oci container gets its own block of
  // 65536 host uids/gids, SAM_OCI_UID_RANGES of them from SAM_OCI_UID_BASE (by default 0x70000000,
  // above what useradd hands out to /etc/subuid and in systemd's unused range); and a host with
  // active swap that the cgroups cannot limit is refused unless SAM_ALLOW_UNLIMITED_SWAP=true.
  SAM_OCI_UID_BASE: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(65536, "must be at least 65536")
    .refine((v) => v % 65536 === 0, "must be a multiple of 65536")
    .default(0x70000000),
  SAM_OCI_UID_RANGES: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(65535, "must be at most 65535")
    .default(1024),
  SAM_ALLOW_UNLIMITED_SWAP: flag,
  // Per-stage timings of runs (lib/perf/stages.ts): a Server-Timing header on ?wait=true answers, runner stages in Redis. For `npm run bench`.
  SAM_STAGE_TIMINGS: flag,
  SAM_CONTAINER_ENGINE: z.string().trim().min(1, "must not be empty").default("podman"),
  SAM_SANDBOX_DIR: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined)),
  DOCKER_HOST: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : undefined)),
  SAM_RUNNER_CONCURRENCY: positiveInt(os.availableParallelism()),
  // --- autoscaling (owned by "scaling"; see supervisor/autoscale): `npm start` keeps between MIN and MAX runner
  // processes on this machine, adds them when runs queue up or wait too long, and drains (never cuts) idle ones.
  SAM_RUNNERS_MIN: positiveInt(1),
  SAM_RUNNERS_MAX: positiveInt(4),
  SAM_AUTOSCALE_INTERVAL_MS: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(100, "must be at least 100").default(2000),
  SAM_AUTOSCALE_UP_WAIT_MS: positiveInt(5000),
  SAM_AUTOSCALE_UP_COOLDOWN_MS: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(0, "must be 0 or more").default(10_000),
  SAM_AUTOSCALE_IDLE_MS: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(0, "must be 0 or more").default(60_000),
  // On SIGTERM a runner stops taking runs and lets the ones it has finish for up to this long before ending them (they are then retried elsewhere).
  SAM_RUNNER_DRAIN_MS: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(0, "must be 0 or more").default(0),
  // A run still going this long past its compile and wall limits is ended by the runner's watchdog (runner/queue/watchdog.ts).
  SAM_WATCHDOG_GRACE_MS: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(31_000, "must be at least 31000 (the sandbox's own start allowance is 30 s)")
    .default(60_000),
  // Every runner ends any sandbox on its machine, of any runner, past its deadline (its limits plus SAM_WATCHDOG_GRACE_MS), this often and at start (runner/sandbox/deadline.ts).
  SAM_SANDBOX_SWEEP_MS: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1000, "must be at least 1000")
    .max(600_000, "must be at most 600000 (10 minutes)")
    .default(10_000),
  SAM_RUNS_PER_MINUTE: positiveInt(60),
  SAM_DEFAULT_CPU_MS: positiveInt(DEFAULT_POLICY.defaults.cpuTimeMs),
  SAM_DEFAULT_WALL_MS: positiveInt(DEFAULT_POLICY.defaults.wallTimeMs),
  SAM_DEFAULT_MEMORY_MB: positiveInt(DEFAULT_POLICY.defaults.memoryMb),
  SAM_DEFAULT_PROCESSES: positiveInt(DEFAULT_POLICY.defaults.processes),
  SAM_DEFAULT_OUTPUT_KB: positiveInt(DEFAULT_POLICY.defaults.outputKb),
  SAM_MAX_CPU_MS: positiveInt(DEFAULT_POLICY.maximum.cpuTimeMs),
  SAM_MAX_WALL_MS: positiveInt(DEFAULT_POLICY.maximum.wallTimeMs),
  SAM_MAX_MEMORY_MB: positiveInt(DEFAULT_POLICY.maximum.memoryMb),
  SAM_MAX_PROCESSES: positiveInt(DEFAULT_POLICY.maximum.processes),
  SAM_MAX_OUTPUT_KB: positiveInt(DEFAULT_POLICY.maximum.outputKb),
  SAM_DISK_MB: positiveInt(DEFAULT_POLICY.diskMb),
  // What one account's runs may hold in Redis and PostgreSQL (see lib/executions/output-budget.ts, runner/queue/retention.ts).
  SAM_MAX_QUEUED_RUNS_PER_USER: positiveInt(10),
  SAM_MAX_RUNNING_RUNS_PER_USER: positiveInt(2),
  // A grading's total wall time (runner/grading/grade.ts): tests left when it is spent are time_limit.
  SAM_GRADING_MAX_SECONDS: positiveInt(600),
  // A room's shared terminal (lib/terminals/, runner/terminal/): its longest life, the input silence that ends it,
  // its CPU time and its output (bounded like a run's, larger: a session prints more than one program).
  SAM_TERMINAL_MAX_SECONDS: positiveInt(1800),
  SAM_TERMINAL_IDLE_SECONDS: positiveInt(300),
  SAM_TERMINAL_CPU_SECONDS: positiveInt(600),
  SAM_TERMINAL_OUTPUT_MB: positiveInt(8),
  SAM_OUTPUT_BUDGET_MB: positiveInt(256),
  SAM_OUTPUT_BUDGET_WINDOW_SECONDS: positiveInt(3600),
  SAM_MAX_EVENT_STREAMS_PER_USER: positiveInt(20),
  SAM_EXECUTION_RETENTION_DAYS: z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(0, "must be 0 (keep forever) or more")
    .default(30),
  GITHUB_ID: z.string().trim().optional(),
  // --- accounts: sign-up, sign-in, tokens, share links, proxies (see lib/accounts) ---
  /** How many reverse proxies stand in front of the web server; "true" means 1, "false" 0. */
  SAM_TRUST_PROXY: z.preprocess(
    (v) => {
      const word = typeof v === "string" ? v.trim().toLowerCase() : "";
      return ({ true: 1, yes: 1, false: 0, no: 0, "": 0 } as Record<string, number>)[word] ?? (/^\d+$/.test(word) ? Number(word) : Number.NaN);
    },
    z
      .number({ error: 'must be "true", "false" or a whole number of proxy hops' })
      .int('must be "true", "false" or a whole number of proxy hops')
      .min(0, "must be 0 or more")
      .max(10, "must be at most 10 proxy hops"),
  ),
  /** open: anyone may sign up; invite: an invite from a user or the host is needed; closed: only the host's invites (npm run invite). */
  SAM_REGISTRATION: z.enum(["open", "invite", "closed"], { error: 'must be "open", "invite" or "closed"' }).default("open"),
  SAM_REGISTER_MAX_PER_IP: positiveInt(20),
  SAM_REGISTER_WINDOW_SECONDS: positiveInt(3600),
  /** argon2id hashes (64 MiB each) one web process computes at once; sign-ups and sign-ins beyond wait briefly, then 503. */
  SAM_PASSWORD_HASH_CONCURRENCY: positiveInt(2),
  SAM_INVITE_DAYS: positiveInt(7),
  SAM_API_TOKEN_DAYS: positiveInt(30),
  SAM_SHARE_LINK_DAYS: positiveInt(7),
  // --- web2: what one account or client address may hold (rooms, sign-in, stored inputs, connections) ---
  /** Failed sign-ins for one username from all addresses together in SAM_LOGIN_WINDOW_SECONDS; past it only addresses the account signed in from before may try. */
  SAM_LOGIN_MAX_FAILURES_PER_ACCOUNT: positiveInt(500),
  /** Rooms one user may own (create) at once. */
  SAM_MAX_ROOMS_PER_USER: positiveInt(50),
  /** Members of one room, the owner and pending invitations included. */
  SAM_MAX_ROOM_MEMBERS: positiveInt(100),
  /** Share links of one room that still work (unrevoked, unexpired). */
  SAM_MAX_SHARE_LINKS_PER_ROOM: positiveInt(10),
  /** How long an invitation to a room (by username) waits for the invitee to accept it. */
  SAM_ROOM_INVITATION_DAYS: positiveInt(14),
  /** Program input (files + stdin) one account's runs may store per window; inputs of finished runs are dropped after one window. */
  SAM_INPUT_BUDGET_MB: positiveInt(64),
  SAM_INPUT_BUDGET_WINDOW_SECONDS: positiveInt(3600),
  /** Open connections to the web server from one client address (IPv6: its /64); not applied behind SAM_TRUST_PROXY, where the proxy is the peer. */
  SAM_MAX_CONNECTIONS_PER_IP: positiveInt(256),
  /** Open connections to one web process in all (each holds a file descriptor; a proxied room socket two). */
  SAM_MAX_CONNECTIONS: positiveInt(8000),
  // --- admin: system roles ---
  /**
   * Usernames made admins when the web process starts (comma-separated). Only
   * accounts that exist then are granted; a name that matches none is logged
   * and skipped (no account made later inherits it). Never revokes: removing a
   * name leaves the role; `npm run admin -- revoke NAME` takes it away.
   */
  SAM_ADMINS: z
    .string()
    .optional()
    .transform((v) => [
      ...new Set(
        (v ?? "")
          .split(",")
          .map((n) => n.trim())
          .filter(Boolean),
      ),
    ]),
  GITHUB_SECRET: z.string().trim().optional(),
});

export type RawConfig = z.infer<typeof schema>;

/** The names of every variable above, for the check that each is documented. */
export const CONFIG_VARIABLES = Object.keys(schema.shape) as Array<keyof RawConfig>;

export interface Config extends Omit<RawConfig, "SAM_PUBLIC_URL" | "SAM_SANDBOX_DIR" | "COLLAB_PORT" | "RUNNER_PORT"> {
  /** The collab service's port: COLLAB_PORT, else PORT+1. */
  COLLAB_PORT: number;
  /** The runner's health port: RUNNER_PORT, else PORT+2. */
  RUNNER_PORT: number;
  /** Where the runner keeps images' root filesystems and run bundles. */
  sandboxDir: string;
  limits: LimitPolicy;
  /** Absolute path of SAM_DATA_DIR. */
  dataDir: string;
  /** The address people reach the web app at; decides the cookies' Secure flag. */
  publicUrl: string;
  /** Where the web app reaches the collab service (room sockets are proxied there; run snapshots come from it). */
  collabUrl: string;
  githubOAuth: { clientId: string; clientSecret: string } | undefined;
}

/** Thrown when the environment holds a bad value; the message names each variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      const value = env[name];
      const shown = name === "SAM_SECRET" || name.endsWith("_URL") || name.endsWith("SECRET") ? "" : ` (got "${value}")`;
      return `${name} ${issue.message}${value === undefined ? "" : shown}`;
    });
    throw new ConfigError(problems);
  }
  const raw = parsed.data;
  if (Boolean(raw.GITHUB_ID) !== Boolean(raw.GITHUB_SECRET)) {
    throw new ConfigError(["GITHUB_ID and GITHUB_SECRET must be set together to enable GitHub sign-in"]);
  }
  const hostForUrl = raw.HOST === "0.0.0.0" || raw.HOST === "::" ? "127.0.0.1" : raw.HOST;
  const limits: LimitPolicy = {
    defaults: {
      cpuTimeMs: raw.SAM_DEFAULT_CPU_MS,
      wallTimeMs: raw.SAM_DEFAULT_WALL_MS,
      memoryMb: raw.SAM_DEFAULT_MEMORY_MB,
      processes: raw.SAM_DEFAULT_PROCESSES,
      outputKb: raw.SAM_DEFAULT_OUTPUT_KB,
    },
    maximum: {
      cpuTimeMs: raw.SAM_MAX_CPU_MS,
      wallTimeMs: raw.SAM_MAX_WALL_MS,
      memoryMb: raw.SAM_MAX_MEMORY_MB,
      processes: raw.SAM_MAX_PROCESSES,
      outputKb: raw.SAM_MAX_OUTPUT_KB,
    },
    diskMb: raw.SAM_DISK_MB,
  };
  const over = (Object.keys(limits.defaults) as Array<keyof typeof limits.defaults>).find((k) => limits.defaults[k] > limits.maximum[k]);
  if (over)
    throw new ConfigError([
      `the default ${over} (${limits.defaults[over]}) is above its maximum (${limits.maximum[over]}); raise SAM_MAX_* or lower SAM_DEFAULT_*`,
    ]);
  // Below the minimums the sandbox itself fails (see MINIMUM_LIMITS); defaults at or above them and
  // at or below the maximums (checked above) keep the maximums above them too.
  const suffix = { cpuTimeMs: "CPU_MS", wallTimeMs: "WALL_MS", memoryMb: "MEMORY_MB", processes: "PROCESSES", outputKb: "OUTPUT_KB" } as const;
  const low = LIMIT_NAMES.find((n) => limits.defaults[n] < MINIMUM_LIMITS[n]);
  if (low)
    throw new ConfigError([`SAM_DEFAULT_${suffix[low]} must be at least ${MINIMUM_LIMITS[low]}, what the sandbox itself needs (got ${limits.defaults[low]})`]);
  if (raw.SAM_RUNNERS_MIN > raw.SAM_RUNNERS_MAX)
    throw new ConfigError([`SAM_RUNNERS_MIN (${raw.SAM_RUNNERS_MIN}) is above SAM_RUNNERS_MAX (${raw.SAM_RUNNERS_MAX}); lower the one or raise the other`]);
  const dataDir = path.resolve(cwd, raw.SAM_DATA_DIR);
  const ports = servicePorts(raw);
  return {
    ...raw,
    ...ports,
    limits,
    sandboxDir: raw.SAM_SANDBOX_DIR ? path.resolve(cwd, raw.SAM_SANDBOX_DIR) : path.join(dataDir, "sandbox"),
    dataDir,
    publicUrl: (raw.SAM_PUBLIC_URL ?? `http://${hostForUrl}:${raw.PORT}`).replace(/\/$/, ""),
    collabUrl: (raw.SAM_COLLAB_URL ?? `http://${hostForUrl}:${ports.COLLAB_PORT}`).replace(/\/$/, ""),
    githubOAuth: raw.GITHUB_ID && raw.GITHUB_SECRET ? { clientId: raw.GITHUB_ID, clientSecret: raw.GITHUB_SECRET } : undefined,
  };
}

/** The collab and runner ports: set, or next to PORT, and never one another's. */
function servicePorts(raw: RawConfig): { COLLAB_PORT: number; RUNNER_PORT: number } {
  const ports = { PORT: raw.PORT, COLLAB_PORT: raw.COLLAB_PORT ?? raw.PORT + 1, RUNNER_PORT: raw.RUNNER_PORT ?? raw.PORT + 2 };
  const problems: string[] = [];
  for (const name of ["COLLAB_PORT", "RUNNER_PORT"] as const) {
    if (ports[name] > 65535) problems.push(`${name} defaults to PORT+${name === "COLLAB_PORT" ? 1 : 2} (${ports[name]}), which is not a port; set ${name}`);
  }
  const names = Object.keys(ports) as Array<keyof typeof ports>;
  names.forEach((a, i) =>
    names.slice(i + 1).forEach((b) => ports[a] === ports[b] && problems.push(`${a} and ${b} are both ${ports[a]}; give each service its own port`)),
  );
  if (problems.length) throw new ConfigError(problems);
  return { COLLAB_PORT: ports.COLLAB_PORT, RUNNER_PORT: ports.RUNNER_PORT };
}

/** Loads the configuration, or prints what is wrong and exits: for process entry points. */
export function loadConfigOrExit(env: Record<string, string | undefined> = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nFix the variable(s) above and start again.\n`);
      process.exit(2);
    }
    throw err;
  }
}
