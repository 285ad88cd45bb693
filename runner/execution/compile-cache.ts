import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { LimitPolicy, RunLimits } from "../../lib/executions/limits";
import type { CompileCacheMetrics, FillOutcome } from "../../lib/metrics/compile-cache";
import { packingLanguage, unpackingLanguage } from "../grading/build";
import type { LanguageDefinition } from "../languages/catalogue";
import { SandboxInfrastructureError, type SandboxDriver, type SandboxHandle } from "../sandbox/driver";
import { executeProgram, type ProgramRequest, type ProgramResult } from "./execute";

/**
 * Compiled languages do not recompile an unchanged program. The cache holds
 * builds (the tar of a language's artifacts, runner/grading/build.ts) with the
 * compiler's output, in Redis, shared by every runner, under a hash of every
 * input that decides the build (keyOf): the runtime image and the compiler's
 * version in it, the CPU architecture, the language's compile command, limit and artifacts, and
 * every file's name and bytes in order. Not stdin, args or limits: the
 * compile step never sees stdin or args (the launcher gives it /dev/null).
 *
 * A hit runs the program from the cached build: the launcher's compile step
 * unpacks /sam/in/build.tar instead of compiling, and the stored compiler
 * output is reported as the run's compileOutput. A miss runs exactly as
 * without a cache (nobody waits for the cache), then the runner fills the
 * entry in the background with a packing run: a FRESH sandbox made exactly
 * like a run's, given only the files, where the compiler runs and then tar
 * packs the artifacts. No user program ever runs in that sandbox, so nothing
 * a program does at run time can reach a build; and as the key covers every
 * input, an entry only ever serves the exact inputs it was built from.
 *
 * Background builds are bounded: at most one at a time per runner, none
 * while the runner's run slots are all taken, none larger than the entry cap.
 * Redis failing only costs the compile: a lookup that fails or takes longer
 * than LOOKUP_TIMEOUT_MS is a miss, a write that fails is dropped.
 */

/** A lookup slower than this is a miss: the compile costs less than waiting on a Redis in trouble. */
const LOOKUP_TIMEOUT_MS = 250;
/** A write (up to an entry's cap) may take longer; it runs in the background. */
const WRITE_TIMEOUT_MS = 5_000;
/** Bumped when the entry format or the key's inputs change: old entries are never read. */
const FORMAT = "sam-compile-cache-v1";
const MAGIC = Buffer.from("SCC1");

export interface CompileCacheOptions {
  redis: Redis;
  driver: SandboxDriver;
  /** The runtime image's tag (runner/images/runtime-image.ts): a hash of its build context. */
  imageTag: string;
  /**
   * Each language's version as the runner's probe read it in the image (`version` in its definition): an
   * image rebuilt from the same context (same tag) with a newer compiler from Debian's archive has other builds.
   */
  versions?: Map<string, string>;
  diskMb: number;
  policy: LimitPolicy;
  log: Logger;
  ttlSeconds: number;
  /** Largest entry (build tar + compiler output) stored, in bytes. */
  maxEntryBytes: number;
  /**
   * No build is stored while Redis's used memory (INFO memory) plus the entry
   * would pass this. The key covers every file's bytes, so each distinct
   * program is an entry: without a cap, one user's runs at the run rate limit
   * could hold GiBs for a TTL, and Redis must not evict (BullMQ), so it would
   * refuse every write, queues included, or take the host's memory.
   */
  maxRedisBytes: number;
  /** True while the runner has no room for a background build (all run slots taken). */
  busy: () => boolean;
  metrics?: CompileCacheMetrics;
  /** Redis key prefix (tests isolate themselves with their own). */
  prefix?: string;
}

/** What one entry holds: the build and what the compiler printed making it. */
export interface CompileCacheEntry {
  tar: Buffer;
  compileOutput: Buffer;
}

type SandboxRunner = (language: LanguageDefinition, request: ProgramRequest, onCompiled?: (ok: boolean) => void) => Promise<ProgramResult>;

/**
 * Takes an entry's bytes from the account whose run made the miss; false when they do not fit. Without it an
 * account could fill Redis (which must not evict: BullMQ) with a distinct 2 MiB build per run, about 7 GiB an
 * hour at 60 runs a minute, 28 times its whole output budget; a build counts like output (output-budget.ts).
 */
export type ChargeBuild = (bytes: number) => Promise<boolean>;

/**
 * The key of a build: a SHA-256 over every input, each length-prefixed so
 * that no two different inputs frame to the same bytes (a file "ab" with "c"
 * is not a file "a" with "bc"; two files are not one).
 */
export function compileCacheKey(
  imageTag: string,
  language: LanguageDefinition,
  files: ProgramRequest["files"],
  arch: string = process.arch,
  toolchainVersion = "",
): string {
  const hash = createHash("sha256");
  const field = (value: string | Uint8Array) => {
    const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
    const length = Buffer.alloc(8);
    length.writeBigUInt64BE(BigInt(bytes.length));
    hash.update(length).update(bytes);
  };
  field(FORMAT);
  field(arch);
  field(imageTag);
  field(toolchainVersion);
  field(language.language);
  field(language.compile ?? "");
  field(String(language.compileSeconds));
  field(JSON.stringify(language.artifacts ?? []));
  field(String(files.length));
  for (const file of files) {
    field(file.name);
    field(file.content);
  }
  return hash.digest("hex");
}

export function encodeEntry(entry: CompileCacheEntry): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(entry.compileOutput.length);
  return Buffer.concat([MAGIC, length, entry.compileOutput, entry.tar]);
}

/** null for anything that is not an entry this version wrote (read as a miss). */
export function decodeEntry(bytes: Buffer): CompileCacheEntry | null {
  if (bytes.length < 8 || !bytes.subarray(0, 4).equals(MAGIC)) return null;
  const outputLength = bytes.readUInt32BE(4);
  if (8 + outputLength > bytes.length) return null;
  return { compileOutput: bytes.subarray(8, 8 + outputLength), tar: bytes.subarray(8 + outputLength) };
}

export class CompileCache {
  private scheduled: Promise<void> | null = null;
  private filling: Promise<void> | null = null;
  private fillHandle: SandboxHandle | null = null;
  private closed = false;

  constructor(private readonly opts: CompileCacheOptions) {}

  /** Compiled languages with artifacts to pack; not a grading's run, which brings its own build. */
  serves(language: LanguageDefinition, request: ProgramRequest): boolean {
    return !!language.compile && !!language.artifacts?.length && !request.build && !this.closed;
  }

  keyOf(language: LanguageDefinition, files: ProgramRequest["files"]): string {
    return compileCacheKey(this.opts.imageTag, language, files, process.arch, this.opts.versions?.get(language.language) ?? "");
  }

  /** Runs the program from a cached build when there is one, else compiling (and fills the cache afterwards). */
  async run(language: LanguageDefinition, request: ProgramRequest, limits: RunLimits, sandbox: SandboxRunner, charge?: ChargeBuild): Promise<ProgramResult> {
    const key = this.keyOf(language, request.files);
    const entry = await this.lookup(key, language.language);
    if (entry) {
      const result = await sandbox(unpackingLanguage(language), { ...request, build: entry.tar });
      if (result.status === "compile_error") {
        // Our unpack step failed, not the user's compile: the entry goes, and the retry compiles.
        void this.redisCall(() => this.opts.redis.del(this.redisKey(key))).catch(() => undefined);
        throw new SandboxInfrastructureError(`unpacking a cached build failed: ${result.compileOutput?.slice(0, 500) ?? ""}`);
      }
      return { ...result, compileOutput: entry.compileOutput.toString("utf8"), bytes: { ...result.bytes, compileOutput: entry.compileOutput } };
    }
    let compiled = false;
    const result = await sandbox(language, request, (ok) => {
      compiled = ok;
    });
    // A compile error is never a build; a compile that did not finish would not finish in the background either.
    if (compiled) this.fill(key, language, request.files, limits, charge);
    return result;
  }

  /** The cached build of these files, if any (a grading's build step: runner/grading/sandbox-env.ts). */
  async cachedBuild(language: LanguageDefinition, files: ProgramRequest["files"]): Promise<CompileCacheEntry | null> {
    if (this.closed) return null;
    return this.lookup(this.keyOf(language, files), language.language);
  }

  /**
   * Keeps a build made elsewhere: only ever one made like the cache's own, in a
   * fresh sandbox given only these files, whose program was the packing tar
   * (a grading's build step). In the background; never throws.
   */
  store(language: LanguageDefinition, files: ProgramRequest["files"], entry: CompileCacheEntry, charge?: ChargeBuild): void {
    if (this.closed) return;
    void this.put(this.keyOf(language, files), entry, charge)
      .then((outcome) => this.opts.metrics?.fill(language.language, outcome))
      .catch((err: Error) => {
        this.opts.metrics?.fill(language.language, "error");
        this.opts.log.debug({ err: err.message }, "compile cache: could not store a build");
      });
  }

  /** Waits for the background build in progress, if any (shutdown, tests). */
  async settled(): Promise<void> {
    await this.scheduled;
    await this.filling;
  }

  /** No more lookups or builds; the build in progress is killed. */
  async close(): Promise<void> {
    this.closed = true;
    await this.scheduled;
    await this.fillHandle?.kill("requested").catch(() => undefined);
    await this.filling;
  }

  private redisKey(key: string): string {
    return `${this.opts.prefix ?? "sam:compile-cache:"}${key}`;
  }

  /** A Redis call that gives up after timeoutMs, and at once while the connection is down. */
  private redisCall<T>(call: () => Promise<T>, timeoutMs = LOOKUP_TIMEOUT_MS): Promise<T> {
    if (this.opts.redis.status !== "ready") return Promise.reject(new Error(`Redis is ${this.opts.redis.status}`));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([call(), timeout]).finally(() => clearTimeout(timer));
  }

  private async lookup(key: string, language: string): Promise<CompileCacheEntry | null> {
    try {
      // Read and kept for another TTL in one step: a build in use (a class running the same program) stays.
      const stored = await this.redisCall(() => this.opts.redis.getexBuffer(this.redisKey(key), "EX", this.opts.ttlSeconds));
      const entry = stored ? decodeEntry(stored) : null;
      this.opts.metrics?.lookup(language, entry ? "hit" : "miss");
      return entry;
    } catch (err) {
      this.opts.metrics?.lookup(language, "error");
      this.opts.log.debug({ err: (err as Error).message }, "compile cache: lookup failed; compiling");
      return null;
    }
  }

  /** Starts a background build for `key` unless one is in progress or the runner is busy. Never throws. */
  private fill(key: string, language: LanguageDefinition, files: ProgramRequest["files"], limits: RunLimits, charge?: ChargeBuild): void {
    // Decided once the run has left its slot (the caller's clean-up runs first), so a runner of one slot still fills.
    this.scheduled = new Promise((resolve) =>
      setTimeout(() => {
        this.startFill(key, language, files, limits, charge);
        resolve();
      }, 0),
    );
  }

  private startFill(key: string, language: LanguageDefinition, files: ProgramRequest["files"], limits: RunLimits, charge?: ChargeBuild): void {
    if (this.closed) return;
    if (this.filling || this.opts.busy()) {
      this.opts.metrics?.fill(language.language, "skipped_busy");
      return;
    }
    this.filling = this.build(key, language, files, limits, charge)
      .then((outcome) => this.opts.metrics?.fill(language.language, outcome))
      .catch((err: Error) => {
        this.opts.metrics?.fill(language.language, "error");
        this.opts.log.warn({ err: err.message, language: language.language }, "compile cache: a background build failed");
      })
      .finally(() => {
        this.filling = null;
        this.fillHandle = null;
      });
  }

  private async build(
    key: string,
    language: LanguageDefinition,
    files: ProgramRequest["files"],
    limits: RunLimits,
    charge?: ChargeBuild,
  ): Promise<FillOutcome> {
    // Another runner may have built it meanwhile.
    if ((await this.redisCall(() => this.opts.redis.exists(this.redisKey(key)))) > 0) return "present";
    // The compile gets the run's memory and processes (it just compiled under them); the tar may be as large as an entry.
    const packLimits: RunLimits = {
      ...limits,
      outputKb: Math.max(1, Math.min(this.opts.policy.maximum.outputKb, Math.ceil(this.opts.maxEntryBytes / 1024))),
      wallTimeMs: Math.min(Math.max(limits.wallTimeMs, 10_000), this.opts.policy.maximum.wallTimeMs),
    };
    const result = await executeProgram(this.opts.driver, packingLanguage(language), { files, stdin: "", args: [] }, packLimits, this.opts.diskMb, {
      onHandle: (handle) => {
        this.fillHandle = handle;
        if (this.closed) void handle.kill("requested");
      },
    });
    if (result.status === "output_limit_exceeded") return "too_large";
    if (result.status !== "succeeded") return "not_built";
    return this.put(key, { tar: result.bytes.stdout, compileOutput: result.bytes.compileOutput ?? Buffer.alloc(0) }, charge);
  }

  private async put(key: string, build: CompileCacheEntry, charge?: ChargeBuild): Promise<FillOutcome> {
    const entry = encodeEntry(build);
    if (entry.length > this.opts.maxEntryBytes) return "too_large";
    // The whole cache first (nothing is charged for a build that is not kept), then the account's share.
    if ((await this.redisUsedBytes()) + entry.length > this.opts.maxRedisBytes) return "redis_full";
    if (charge && !(await charge(entry.length))) return "over_budget";
    await this.redisCall(() => this.opts.redis.set(this.redisKey(key), entry, "EX", this.opts.ttlSeconds), WRITE_TIMEOUT_MS);
    return "stored";
  }

  /** Redis's used memory, in bytes (INFO memory's used_memory). */
  private async redisUsedBytes(): Promise<number> {
    const info = await this.redisCall(() => this.opts.redis.info("memory"));
    const used = Number(/^used_memory:(\d+)/m.exec(info)?.[1]);
    if (!Number.isFinite(used)) throw new Error("Redis did not say how much memory it uses");
    return used;
  }
}
