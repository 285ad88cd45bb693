import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import net from "node:net";
import { inject } from "vitest";
import { ROOT } from "./stack";

/** `npm start` as a person runs it, with its own data dir and embedded PostgreSQL and Redis. */
export interface Instance {
  base: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
  stop(): Promise<number | null>;
}

export function launch(dataDir: string, env: Record<string, string>): Instance {
  // The sandbox image is shared with the rest of the suite (unpacking it again would only cost time).
  const full: NodeJS.ProcessEnv = { ...process.env, SAM_SANDBOX_DIR: inject("sandboxDir"), SAM_DATA_DIR: dataDir, ...env };
  for (const name of ["DATABASE_URL", "REDIS_URL", "SAM_SECRET", "COLLAB_PORT", "RUNNER_PORT"]) if (!(name in env)) delete full[name];
  let output = "";
  const child = spawn("npm", ["start"], { cwd: ROOT, env: full, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    base: `http://127.0.0.1:${env.PORT}`,
    child,
    exited,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

/** Waits for the supervisor's "ready" line (web, collab and runner all up). */
export async function ready(instance: Instance, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!instance.output().includes("SAM Compiler is ready")) {
    if (instance.child.exitCode !== null) throw new Error(`npm start exited early:\n${instance.output()}`);
    if (Date.now() > deadline) throw new Error(`npm start not ready in time:\n${instance.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A port p where p, p+1 and p+2 are free: room for web and the collab and runner ports next to it. */
export async function freePortRun(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const p = 20000 + Math.floor(Math.random() * 20000);
    if ((await Promise.all([p, p + 1, p + 2].map(isFree))).every(Boolean)) return p;
  }
  throw new Error("no three free ports in a row");
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/** Pids of every process below `root`, with their command lines. */
export function descendants(root: number): Array<{ pid: number; args: string }> {
  const rows = spawnSync("ps", ["-eo", "pid=,ppid=,args="], { encoding: "utf8" })
    .stdout.split("\n")
    .map((l) => l.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/))
    .filter((m): m is RegExpMatchArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
  const found: Array<{ pid: number; args: string }> = [];
  const queue = [root];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const row of rows.filter((r) => r.ppid === parent)) {
      found.push({ pid: row.pid, args: row.args });
      queue.push(row.pid);
    }
  }
  return found;
}
