import path from "node:path";
import { z } from "zod";

/**
 * Every setting SAM Compiler reads from the environment, with its default.
 * The README's configuration table documents the same list; keep them in step.
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
  COLLAB_PORT: port(8081),
  RUNNER_PORT: port(8082),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SAM_TRUST_PROXY: flag,
  SAM_LOGIN_MAX_FAILURES_PER_USER: positiveInt(10),
  SAM_LOGIN_MAX_ATTEMPTS_PER_IP: positiveInt(100),
  SAM_LOGIN_WINDOW_SECONDS: positiveInt(900),
  GITHUB_ID: z.string().trim().optional(),
  GITHUB_SECRET: z.string().trim().optional(),
});

export type RawConfig = z.infer<typeof schema>;

export interface Config extends Omit<RawConfig, "SAM_PUBLIC_URL"> {
  /** Absolute path of SAM_DATA_DIR. */
  dataDir: string;
  /** The address people reach the web app at; decides the cookies' Secure flag. */
  publicUrl: string;
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
  return {
    ...raw,
    dataDir: path.resolve(cwd, raw.SAM_DATA_DIR),
    publicUrl: (raw.SAM_PUBLIC_URL ?? `http://${hostForUrl}:${raw.PORT}`).replace(/\/$/, ""),
    githubOAuth:
      raw.GITHUB_ID && raw.GITHUB_SECRET ? { clientId: raw.GITHUB_ID, clientSecret: raw.GITHUB_SECRET } : undefined,
  };
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
