import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import { afterAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../support/ports";
import { ROOT, tempDir } from "../support/stack";

/**
 * The README's quick start, as a person runs it: `npm start` with no
 * DATABASE_URL or REDIS_URL starts its own PostgreSQL and Redis, migrates,
 * starts web, collab and runner, serves the health route, keeps data across a
 * restart, and on SIGTERM stops everything it started.
 */
const dataDir = tempDir("sam-e2e-");
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

async function npmStart() {
  const [port, collabPort, runnerPort] = await Promise.all([freePort(), freePort(), freePort()]);
  // The sandbox image is shared with the rest of the suite (unpacking it again would only cost time).
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SAM_SANDBOX_DIR: inject("sandboxDir"),
    SAM_DATA_DIR: dataDir,
    PORT: String(port),
    COLLAB_PORT: String(collabPort),
    RUNNER_PORT: String(runnerPort),
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.SAM_SECRET;
  let output = "";
  const child = spawn("npm", ["start"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 150_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    const ok = await fetch(`${base}/api/v1/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok && output.includes("SAM Compiler is ready")) break;
    if (Date.now() > deadline) throw new Error(`npm start not ready in time:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { base, child, exited, output: () => output };
}

function processesUsing(dir: string): string[] {
  const ps = spawnSync("ps", ["-eo", "pid,args"], { encoding: "utf8" }).stdout;
  return ps.split("\n").filter((line) => line.includes(dir) && !line.includes("ps -eo"));
}

let ranId = "";

describe("npm start", () => {
  it("serves the health route and the API with its own PostgreSQL and Redis, and stops them all on SIGTERM", async () => {
    const first = await npmStart();
    const health = await (await fetch(`${first.base}/api/v1/health`)).json();
    expect(health).toMatchObject({ status: "ok", database: "ok", redis: "ok" });
    // The supervisor only reports ready after web is up; collab and runner announce themselves within seconds.
    await expect
      .poll(async () => (await (await fetch(`${first.base}/api/v1/health`)).json()).services, { timeout: 20_000 })
      .toEqual({
        web: 1,
        collab: 1,
        runner: 1,
      });
    const signIn = await (await fetch(`${first.base}/signin`)).text();
    expect(signIn).toContain("Sign in to your workspace");
    const reg = await fetch(`${first.base}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "e2e_user", password: "a long enough password" }),
    });
    expect(reg.status).toBe(201);
    const { token } = await reg.json();
    // The runner verifies its languages within seconds of starting; then code runs.
    await expect
      .poll(async () => (await (await fetch(`${first.base}/api/v1/runtimes`, { headers: { authorization: `Bearer ${token}` } })).json()).length, {
        timeout: 90_000,
      })
      .toBeGreaterThan(0);
    const ran = await (
      await fetch(`${first.base}/api/v1/executions?wait=true`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ language: "python", files: [{ name: "main.py", content: "print(6 * 7)" }] }),
      })
    ).json();
    expect(ran).toMatchObject({ status: "succeeded", stdout: "42\n" });
    ranId = ran.id;
    expect(processesUsing(dataDir).some((l) => l.includes("redis-server"))).toBe(true);
    expect(processesUsing(dataDir).some((l) => l.includes("postgres"))).toBe(true);

    first.child.kill("SIGTERM");
    await first.exited;
    const log = first.output();
    // Services first, then Redis, then PostgreSQL.
    const order = ["services stopped", "Redis stopped", "PostgreSQL stopped"].map((m) => log.indexOf(m));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    await expect.poll(() => processesUsing(dataDir), { timeout: 10_000 }).toEqual([]);
    expect(fs.statSync(`${dataDir}/secret`).mode & 0o777).toBe(0o600);

    // A second start finds the same database: the account made above still signs in.
    const second = await npmStart();
    try {
      const login = await fetch(`${second.base}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "e2e_user", password: "a long enough password" }),
      });
      expect(login.status).toBe(200);
      // History survives the restart.
      const { token } = await login.json();
      const again = await (await fetch(`${second.base}/api/v1/executions/${ranId}`, { headers: { authorization: `Bearer ${token}` } })).json();
      expect(again).toMatchObject({ id: ranId, status: "succeeded", stdout: "42\n" });
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
    await expect.poll(() => processesUsing(dataDir), { timeout: 10_000 }).toEqual([]);
  }, 400_000);
});
