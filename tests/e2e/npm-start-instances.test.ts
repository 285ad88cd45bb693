import { spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { descendants, freePortRun, launch, ready, type Instance } from "../support/npm-start";
import { tempDir } from "../support/stack";

/**
 * Several `npm start`s on one machine: each picks its collab and runner ports
 * next to its own PORT, a port that is taken stops start-up with a clear
 * reason (never "ready"), and the runner, which runs untrusted code, never
 * holds SAM_SECRET.
 */
const dirs: string[] = [];
const started: Instance[] = [];
afterAll(async () => {
  await Promise.all(started.map((i) => i.stop()));
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function dataDir() {
  const dir = tempDir("sam-e2e-");
  dirs.push(dir);
  return dir;
}

const environOf = (pid: number) => fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");

describe("npm start, more than once on a machine", () => {
  it("two instances with only PORT and the data dir set both come fully up; the runner has no SAM_SECRET", async () => {
    const first = await freePortRun();
    let second = await freePortRun();
    while (Math.abs(second - first) < 3) second = await freePortRun();
    const a = launch(dataDir(), { PORT: String(first) });
    const b = launch(dataDir(), { PORT: String(second) });
    started.push(a, b);
    await Promise.all([ready(a), ready(b)]);

    for (const [instance, port] of [
      [a, first],
      [b, second],
    ] as const) {
      const health = await fetch(`${instance.base}/api/v1/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: "ok", services: { web: 1, collab: 1, runner: 1 } });
      // The collab and runner ports sit next to PORT.
      expect((await fetch(`http://127.0.0.1:${port + 1}/health`)).status).toBe(200);
      expect(await (await fetch(`http://127.0.0.1:${port + 2}/health`)).json()).toMatchObject({ service: "runner" });
    }

    const processes = descendants(a.child.pid!);
    const pidOf = (entry: string) => processes.find((p) => p.args.includes(entry))?.pid;
    const [web, collab, runner] = ["web/server.ts", "collab/main.ts", "runner/main.ts"].map(pidOf);
    expect(runner).toBeDefined();
    expect(environOf(runner!).filter((v) => v.startsWith("SAM_SECRET="))).toEqual([]);
    // The check can see it where it is meant to be.
    expect(environOf(web!).some((v) => v.startsWith("SAM_SECRET="))).toBe(true);
    expect(environOf(collab!).some((v) => v.startsWith("SAM_SECRET="))).toBe(true);

    expect(await a.stop()).toBe(0);
    expect(await b.stop()).toBe(0);
  }, 600_000);

  it("a taken collab port stops start-up, names the variable and never says ready", async () => {
    const port = await freePortRun();
    // Someone else holds the port the collab service would take.
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(port + 1, "127.0.0.1", r));
    try {
      const dir = dataDir();
      const instance = launch(dir, { PORT: String(port) });
      started.push(instance);
      const code = await Promise.race([instance.exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), 240_000))]);
      expect(code).toBe(1);
      const output = instance.output();
      expect(output).toContain(`COLLAB_PORT=${port + 1} on 127.0.0.1 is already in use`);
      expect(output).toContain("set COLLAB_PORT to a free port");
      expect(output).not.toContain("SAM Compiler is ready");
      // Whatever it had started (PostgreSQL, Redis) is stopped again.
      const ps = spawnSync("ps", ["-eo", "args="], { encoding: "utf8" }).stdout;
      expect(ps.split("\n").filter((l) => l.includes(dir))).toEqual([]);
    } finally {
      squatter.close();
    }
  }, 300_000);
});
