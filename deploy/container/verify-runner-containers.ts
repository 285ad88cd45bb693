// Manual check, not part of `npm test` (it needs the application image built first):
// two runner containers from the image, started as docker-compose.yml starts `runner`
// (privileged, the cgroup entry point, the prepared sandbox mounted read-only, no engine),
// take runs from a real queue (embedded PostgreSQL and Redis on this host) and run each in a
// sandbox. Prints each run's status and output, and how many ran at once: each container takes
// one run at a time, so 2 means both took runs.
// Usage, as root with podman:
//   podman build -t localhost/sam-compiler:check .
//   node --import tsx deploy/container/verify-runner-containers.ts localhost/sam-compiler:check [SANDBOX]
// SANDBOX: a host dir or podman volume where the sandbox was prepared, as compose's `sandbox`
// service does it (podman run --privileged -v VOLUME:/var/lib/sam-sandbox -v STORAGE:/var/lib/containers
// --entrypoint /app/deploy/container/runner-entrypoint.sh IMAGE node --import tsx scripts/build-sandbox.ts
// /var/lib/sam-sandbox); default the test suite's /var/tmp/sam-test-sandbox.
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { createDatabase } from "../../lib/db/client";
import { DEFAULT_POLICY, resolveLimits } from "../../lib/executions/limits";
import { EXECUTION_QUEUE, MAX_ATTEMPTS } from "../../lib/executions/queue";
import { createRedis } from "../../lib/redis/connection";
import { startBacking } from "../../tests/support/stack";

const IMAGE = process.argv[2] ?? "localhost/sam-compiler:check";
// A host path or a podman volume holding the prepared sandbox (what compose's `sandbox` service writes).
const SANDBOX = process.argv[3] ?? "/var/tmp/sam-test-sandbox";
const podman = (...args: string[]) => execFileSync("podman", ["--runtime", "runc", "--cgroup-manager", "cgroupfs", ...args], { encoding: "utf8" }).trim();
const backing = await startBacking();
const runDir = `${backing.dataDir}/run`;
const containers: string[] = [];
const db = createDatabase(backing.databaseUrl);
const queueConnection = createRedis(backing.redisUrl);
try {
  for (let i = 0; i < 2; i++) {
    containers.push(
      podman(
        "run",
        "-d",
        "--privileged",
        "--network",
        "host",
        "--ulimit",
        "nofile=8192:8192",
        "--ulimit",
        "nproc=8192:8192",
        "-v",
        `${runDir}:${runDir}`,
        "-v",
        `${SANDBOX}:/var/lib/sam-sandbox:ro`,
        "-e",
        `DATABASE_URL=${backing.databaseUrl}`,
        "-e",
        `REDIS_URL=${backing.redisUrl}`,
        "-e",
        "SAM_SANDBOX_DRIVER=oci",
        "-e",
        "SAM_OCI_RUNTIME=runc",
        "-e",
        `RUNNER_PORT=${31000 + Math.floor(Math.random() * 2000)}`,
        "-e",
        "SAM_RUNNER_CONCURRENCY=1",
        "-e",
        "SAM_OCI_WARM_CONTAINERS=0",
        "-e",
        "SAM_ALLOW_UNLIMITED_SWAP=true",
        "--entrypoint",
        "/app/deploy/container/runner-entrypoint.sh",
        IMAGE,
        "node",
        "--import",
        "tsx",
        "runner/main.ts",
      ),
    );
  }
  const user = await db.user.create({ data: { username: "container_check", usernameKey: `container_check_${randomBytes(3).toString("hex")}` } });
  const queue = new Queue(EXECUTION_QUEUE, { connection: queueConnection, defaultJobOptions: { attempts: MAX_ATTEMPTS } });
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    const e = await db.execution.create({
      data: {
        userId: user.id,
        language: "python",
        version: "3",
        files: { create: [{ position: 0, name: "main.py", content: Buffer.from(`import os, time\ntime.sleep(2)\nprint("run ${i}", os.getuid())`) }] },
        limits: { ...resolveLimits(DEFAULT_POLICY, {}) },
      },
    });
    await queue.add("run", { executionId: e.id }, { jobId: e.id });
    ids.push(e.id);
  }
  const deadline = Date.now() + 600_000;
  for (;;) {
    const rows = await db.execution.findMany({ where: { id: { in: ids } } });
    if (rows.every((r) => !["queued", "running"].includes(r.status))) {
      for (const r of rows) console.log(r.id, r.status, JSON.stringify(Buffer.from(r.stdout ?? "").toString()), r.error ?? "");
      // Each container takes one run at a time: runs that overlap ran in different containers.
      const spans = rows.map((r) => [r.startedAt!.getTime(), r.finishedAt!.getTime()] as const);
      const overlap = Math.max(...spans.map(([s]) => spans.filter(([a, b]) => a <= s && s < b).length));
      console.log(`most runs running at once: ${overlap}`);
      break;
    }
    if (Date.now() > deadline) throw new Error("runs did not finish: " + rows.map((r) => r.status).join(","));
    await new Promise((r) => setTimeout(r, 1000));
  }
  for (const c of containers) {
    const logs = spawnSync("podman", ["logs", c], { encoding: "utf8" });
    console.log(`container ${c.slice(0, 12)} started its worker: ${(logs.stdout + logs.stderr).includes("taking execution jobs")}`);
  }
  await queue.close().catch(() => undefined);
} finally {
  for (const c of containers) spawnSync("podman", ["--runtime", "runc", "--cgroup-manager", "cgroupfs", "rm", "-f", "-t", "20", c], { stdio: "inherit" });
  await db.$disconnect();
  queueConnection.disconnect();
  await backing.stop();
  process.exit(0);
}
