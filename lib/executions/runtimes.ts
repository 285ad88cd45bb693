import type { Redis } from "ioredis";
import { ApiError } from "../http/errors";
import type { RunLimits } from "./limits";

/**
 * The languages runners have verified (each ran its test program and printed
 * OK). Each runner publishes what it accepts with a short expiry and refreshes
 * it, so a language disappears when no runner offers it any more.
 */
export interface Runtime {
  language: string;
  version: string;
  aliases: string[];
  /** The language's own limit defaults (e.g. the JVM needs more memory). */
  limits: Partial<RunLimits>;
  /** The hello-world project a new room in this language starts with (absent from runners older than rooms). */
  template?: { files: Array<{ name: string; content: string }> };
  /** The file a room's run starts from, when the room has it. */
  entryFile?: string;
}

const KEY_PREFIX = "sam:runtimes:";
const TTL_SECONDS = 30;

export async function publishRuntimes(redis: Redis, runnerId: string, runtimes: Runtime[]): Promise<void> {
  await redis.set(KEY_PREFIX + runnerId, JSON.stringify(runtimes), "EX", TTL_SECONDS);
}

export async function withdrawRuntimes(redis: Redis, runnerId: string): Promise<void> {
  await redis.del(KEY_PREFIX + runnerId);
}

/** Every language at least one live runner accepts, sorted by name. */
export async function availableRuntimes(redis: Redis): Promise<Runtime[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${KEY_PREFIX}*`, "COUNT", 100);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== "0");
  const byName = new Map<string, Runtime>();
  if (keys.length) {
    for (const value of await redis.mget(keys)) {
      for (const r of value ? (JSON.parse(value) as Runtime[]) : []) byName.set(r.language, r);
    }
  }
  return [...byName.values()].sort((a, b) => a.language.localeCompare(b.language));
}

function findRuntime(runtimes: Runtime[], name: string): Runtime | undefined {
  const key = name.toLowerCase();
  return runtimes.find((r) => r.language === key || r.aliases.includes(key));
}

/** A language name or alias resolved against what the runners offer: 503 when no runner is up, 400 listing the valid ones. */
export function requireRuntime(runtimes: Runtime[], language: string): Runtime {
  if (runtimes.length === 0) throw new ApiError(503, "no_runner", "No runner is available right now; try again shortly.");
  const runtime = findRuntime(runtimes, language);
  if (!runtime) {
    throw new ApiError(400, "unknown_language", `Unknown language "${language}". Valid languages: ${runtimes.map((r) => r.language).join(", ")}.`);
  }
  return runtime;
}
