import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRedis } from "../lib/redis/connection";
import { startService, type Backing } from "../tests/support/stack";

/**
 * A C and a Java hello world through the API (POST ?wait=true), as a person
 * runs them: the first run of a program (it compiles) and the same program
 * again, unchanged (the compile cache serves its build: runner/execution/compile-cache.ts).
 * Every "first" sample is a fresh source (a changing comment), so each one
 * misses; the two kinds alternate, and each waits for the runner's background
 * build of the sample before it to finish (seen as its Redis key appearing),
 * so no sample pays for another's, and then GAP_MS more. Beside them, the same program compiled and
 * run as bare processes on this machine (gcc, javac and java of the host).
 */
const SAMPLES = Number(process.env.BENCH_COMPILED ?? 10);
const SANDBOX_DIR = process.env.SAM_SANDBOX_DIR ?? "/var/tmp/sam-test-sandbox";
const CACHE_KEYS = "sam:compile-cache:*";
/** Before each sample, as runs come in an IDE: the runner has refilled its warm containers (the background build took one). */
const GAP_MS = 500;

interface Subject {
  language: "c" | "java";
  file: string;
  source: (tag: string) => string;
  /** The same program compiled and run on the host, in `dir`: [compile, run]. */
  bare: (dir: string) => [string[], string[]];
}

const SUBJECTS: Subject[] = [
  {
    language: "c",
    file: "main.c",
    source: (tag) => `/* ${tag} */\n#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n`,
    bare: (dir) => [["gcc", "-std=gnu17", "-O2", "-pipe", "-o", path.join(dir, "program"), path.join(dir, "main.c"), "-lm"], [path.join(dir, "program")]],
  },
  {
    language: "java",
    file: "Main.java",
    source: (tag) => `/* ${tag} */\npublic class Main { public static void main(String[] a) { System.out.println("hello"); } }\n`,
    bare: (dir) => [
      ["javac", "-J-Xshare:off", "-proc:none", "-encoding", "UTF-8", "-d", dir, path.join(dir, "Main.java")],
      ["java", "-Xshare:off", "-XX:+UseSerialGC", "-cp", dir, "Main"],
    ],
  },
];

export interface CompiledRow {
  language: string;
  firstP50: number;
  cachedP50: number;
  bareCompileRunP50: number;
  bareRunP50: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function exec(argv: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "ignore", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${argv[0]} exited ${code}`))));
  });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function bare(subject: Subject): Promise<{ compileRun: number; run: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sam-bench-compiled-"));
  try {
    const compileRun: number[] = [];
    const run: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      fs.writeFileSync(path.join(dir, subject.file), subject.source(`bare ${i}`));
      const [compile, start] = subject.bare(dir);
      compileRun.push(
        await timed(async () => {
          await exec(compile);
          await exec(start);
        }),
      );
      run.push(await timed(() => exec(start)));
    }
    return { compileRun: median(compileRun), run: median(run) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchCompiled(backing: Backing, webUrl: string, token: string, log: (m: string) => void): Promise<CompiledRow[]> {
  const runner = await startService("runner/main.ts", backing, { SAM_SANDBOX_DIR: SANDBOX_DIR, SAM_SANDBOX_DRIVER: "oci", LOG_LEVEL: "warn" });
  const redis = createRedis(backing.redisUrl);
  const cached = async () => (await redis.keys(CACHE_KEYS)).length;
  /** Waits (up to 20 s) until the runner has stored more builds than `before`: its background build is done. */
  const builtAfter = async (before: number) => {
    for (const end = Date.now() + 20_000; Date.now() < end; ) {
      if ((await cached()) > before) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error("the runner did not store the build within 20 s (is SAM_COMPILE_CACHE off?)");
  };
  const submit = async (subject: Subject, source: string) => {
    const res = await fetch(`${webUrl}/api/v1/executions?wait=true`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ language: subject.language, files: [{ name: subject.file, content: source }] }),
    });
    const body = (await res.json()) as { status?: string; stdout?: string };
    if (body.status !== "succeeded" || body.stdout !== "hello\n") throw new Error(`unexpected result: ${JSON.stringify(body)}`);
  };
  const rows: CompiledRow[] = [];
  try {
    for (const subject of SUBJECTS) {
      log(`compiled: ${subject.language} hello world, ${SAMPLES} first runs and ${SAMPLES} unchanged runs through the API, alternating`);
      const unchanged = subject.source(`unchanged ${Date.now()}`);
      let before = await cached();
      await submit(subject, unchanged); // its build goes into the cache
      await builtAfter(before);
      const first: number[] = [];
      const again: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        before = await cached();
        await sleep(GAP_MS);
        first.push(await timed(() => submit(subject, subject.source(`first ${Date.now()} ${i}`))));
        await builtAfter(before);
        await sleep(GAP_MS);
        again.push(await timed(() => submit(subject, unchanged)));
      }
      const host = await bare(subject);
      rows.push({ language: subject.language, firstP50: median(first), cachedP50: median(again), bareCompileRunP50: host.compileRun, bareRunP50: host.run });
    }
    return rows;
  } finally {
    redis.disconnect();
    await runner.stop();
  }
}

export function printCompiled(rows: CompiledRow[]): void {
  console.log(`\nCompiled languages: hello world through the API (oci driver), p50 of ${SAMPLES} each; bare = the host's compiler and runtime\n`);
  console.log(
    "| language | first run (compiles) ms | unchanged (cached build) ms | cached vs first | bare compile + run ms | bare run ms | cached vs bare run |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const r of rows) {
    console.log(
      `| ${r.language} | ${r.firstP50.toFixed(0)} | ${r.cachedP50.toFixed(0)} | ${(r.cachedP50 / r.firstP50).toFixed(2)}x | ${r.bareCompileRunP50.toFixed(0)} | ${r.bareRunP50.toFixed(0)} | ${(r.cachedP50 / r.bareRunP50).toFixed(1)}x |`,
    );
  }
}
