import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { freePortRun } from "../support/npm-start";
import { ProcessWatch, type SeenProcess } from "../support/process-watch";
import { ROOT, tempDir } from "../support/stack";

/**
 * Fault drill: `npm start` interrupted with Ctrl-C while it is still starting.
 * The terminal's Ctrl-C is SIGINT to the whole foreground process group, so
 * npm start runs in a group of its own here and the test signals that group.
 * Every process it started, followed through /proc from its first moment
 * (PostgreSQL, Redis, the services, the runner's image tools), must be gone
 * once the supervisor has exited: checked by pid and start time.
 */
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function dir(prefix: string) {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
}

interface Start {
  dataDir: string;
  output(): string;
  watch: ProcessWatch;
  exited: Promise<number | null>;
  pid: number;
}

async function npmStart(env: Record<string, string> = {}): Promise<Start> {
  const dataDir = dir("sam-e2e-int-");
  const port = await freePortRun();
  const full: NodeJS.ProcessEnv = { ...process.env, SAM_SANDBOX_DIR: inject("sandboxDir"), SAM_DATA_DIR: dataDir, PORT: String(port), ...env };
  for (const name of ["DATABASE_URL", "REDIS_URL", "SAM_SECRET", "COLLAB_PORT", "RUNNER_PORT"]) delete full[name];
  let output = "";
  // A process group of its own, as a terminal gives a foreground job.
  const child = spawn("npm", ["start"], { cwd: ROOT, env: full, stdio: ["ignore", "pipe", "pipe"], detached: true });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const watch = new ProcessWatch(child.pid!, [dataDir, full.SAM_SANDBOX_DIR!]);
  watch.start();
  return { dataDir, output: () => output, watch, exited, pid: child.pid! };
}

async function until(start: Start, what: string, ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 300_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`never reached: ${what}\n${start.output().slice(-3000)}`);
    if ((await Promise.race([start.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 50))])) === true) {
      throw new Error(`npm start exited before ${what}:\n${start.output().slice(-3000)}`);
    }
  }
}

/** Ctrl-C, then: npm and the supervisor exit, and nothing they started is left. */
async function interrupt(start: Start): Promise<SeenProcess[]> {
  process.kill(-start.pid, "SIGINT");
  await start.exited;
  const supervisor = start.watch.all().filter((p) => p.args.includes("supervisor/main.ts"));
  expect(supervisor.length).toBeGreaterThan(0);
  // The supervisor waits for every child to exit before it does; its own exit is what we wait for.
  await expect.poll(() => start.watch.alive().filter((p) => p.args.includes("supervisor/main.ts")), { timeout: 120_000, interval: 100 }).toEqual([]);
  start.watch.scan();
  // Grandchildren killed with their group (SIGKILL) may take a moment to be reaped by the kernel.
  await expect.poll(() => start.watch.alive().map((p) => `${p.pid} ${p.args}`), { timeout: 10_000, interval: 100 }).toEqual([]);
  start.watch.stop();
  return start.watch.all();
}

const seen = (all: SeenProcess[], pattern: RegExp) => all.some((p) => pattern.test(p.args));

describe("npm start interrupted with Ctrl-C while starting", () => {
  it("while PostgreSQL is starting: PostgreSQL is stopped", async () => {
    const start = await npmStart();
    await until(start, "the postgres server process", () => seen(start.watch.all(), /bin\/postgres -D/));
    const all = await interrupt(start);
    expect(seen(all, /bin\/postgres -D/)).toBe(true);
    expect(start.output()).toContain("stopping SAM Compiler");
  }, 400_000);

  it("after Redis' data dir was removed: Redis (which then refuses a plain SIGTERM) and PostgreSQL are stopped", async () => {
    const start = await npmStart();
    await until(start, "embedded Redis ready", () => start.output().includes("embedded Redis ready"));
    fs.rmSync(path.join(start.dataDir, "redis"), { recursive: true, force: true });
    const all = await interrupt(start);
    expect(seen(all, /redis-server/)).toBe(true);
    expect(seen(all, /bin\/postgres -D/)).toBe(true);
    // Redis stopped on its own signal (its final save failed and it exited anyway), not only by the SIGKILL backstop.
    const redisLog = fs.readFileSync(path.join(start.dataDir, "logs", "redis.log"), "utf8");
    expect(redisLog).toContain("Error trying to save the DB");
    expect(redisLog).toContain("ready to exit");
  }, 400_000);

  it("while the services are starting: web, collab and runner are stopped", async () => {
    const start = await npmStart();
    await until(start, "all three services started", () =>
      ["web/server.ts", "collab/main.ts", "runner/main.ts"].every((s) => seen(start.watch.all(), new RegExp(s.replace(".", "\\.")))),
    );
    const all = await interrupt(start);
    expect(seen(all, /web\/server\.ts/)).toBe(true);
  }, 400_000);

  it("during the sandbox image preparation: the runner's image tools are stopped too", async () => {
    // An empty sandbox dir: the runner unpacks the runtime image into it first (podman export, tar).
    const start = await npmStart({ SAM_SANDBOX_DIR: dir("sam-e2e-int-sandbox-") });
    await until(start, "the runner unpacking the sandbox image", () => start.output().includes("unpacking") && seen(start.watch.all(), /podman/));
    const all = await interrupt(start);
    expect(seen(all, /runner\/main\.ts/)).toBe(true);
    expect(seen(all, /podman/)).toBe(true);
  }, 400_000);
});
