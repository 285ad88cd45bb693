/**
 * A stand-in runner for the orphaned-run tests, run as a process of its own
 * (tests/attacks/orphaned-runs.test.ts kills it): it opens a real driver the
 * way the runner does (launcher, guards, sweeps, the deadline) and starts one
 * run whose program sleeps as `sam-orphan-<marker>`, then prints
 * `started <pid>` once the program runs, and waits to be killed.
 *
 * Usage: node --import tsx tests/support/orphan-runner.ts '<json OrphanRunnerSpec>'
 */
import path from "node:path";
import pino from "pino";
import { loadConfig } from "../../lib/config/env";
import type { SandboxDriver, SandboxLimits } from "../../runner/sandbox/driver";
import { DockerDriver } from "../../runner/sandbox/docker/driver";
import { connectDockerEngine } from "../../runner/sandbox/docker/engine";
import { OciDriver } from "../../runner/sandbox/oci/driver";
import { BwrapDriver } from "../../runner/sandbox/bwrap/driver";
import { blocksInUse } from "../../runner/sandbox/oci/run-registry";
import { UidRangeAllocator } from "../../runner/sandbox/oci/uid-ranges";

export interface OrphanRunnerSpec {
  kind: "oci/crun" | "oci/runc" | "docker" | "bwrap";
  workDir: string;
  marker: string;
  rootfs: string;
  image: string;
  limits: SandboxLimits;
  deadlineGraceMs: number;
  /** oci: the uid blocks this runner may hand out (default: the driver's). */
  uid?: { base: number; ranges: number };
}

/** Where the runner's driver keeps its runs (its cgroups are named after it, see ../../runner/sandbox/deadline.ts). */
export const runsDir = (spec: Pick<OrphanRunnerSpec, "kind" | "workDir">) => path.join(spec.workDir, "runs", spec.kind === "bwrap" ? "bwrap" : "oci");

export const orphanProgramName = (marker: string) => `sam-orphan-${marker}`;

export async function openRunnerDriver(
  spec: Pick<OrphanRunnerSpec, "kind" | "workDir" | "rootfs" | "image" | "deadlineGraceMs" | "uid">,
  sweepIntervalMs = 1000,
): Promise<SandboxDriver> {
  const orphans = { deadlineGraceMs: spec.deadlineGraceMs, sweepIntervalMs };
  if (spec.kind === "docker") {
    const engine = await connectDockerEngine(loadConfig({ SAM_DATA_DIR: spec.workDir }), pino({ level: "silent" }));
    return new DockerDriver({
      docker: engine.docker,
      isPodman: engine.isPodman,
      image: spec.image,
      workDir: path.join(spec.workDir, "runs", "docker"),
      guardCgroups: engine.local,
      ...orphans,
      onClose: engine.close,
    });
  }
  const uidRanges = spec.uid && new UidRangeAllocator(spec.uid.base, spec.uid.ranges, [], () => blocksInUse());
  if (spec.kind === "bwrap") return new BwrapDriver({ rootfs: spec.rootfs, workDir: runsDir(spec), uidRanges, ...orphans });
  return new OciDriver({
    runtime: spec.kind.slice("oci/".length),
    rootfs: spec.rootfs,
    workDir: runsDir(spec),
    warmContainers: 0,
    uidRanges,
    ...orphans,
  });
}

async function main(spec: OrphanRunnerSpec): Promise<void> {
  const driver = await openRunnerDriver(spec);
  const started = `${spec.marker}:started\n`;
  let seen = "";
  const handle = await driver.start(
    {
      id: `orphan-${spec.marker}`,
      files: [{ name: "main.sh", content: "" }],
      stdin: "",
      args: [],
      env: { SAM_ENTRY: "main.sh", SAM_RUN: `exec -a ${orphanProgramName(spec.marker)} sleep 1000`, SAM_MARKER: spec.marker },
      limits: spec.limits,
    },
    {
      stdout: () => undefined,
      stderr: (chunk) => {
        if (seen.includes(started)) return;
        seen += chunk.toString("latin1");
        if (seen.includes(started)) process.stdout.write(`started ${process.pid}\n`);
      },
    },
  );
  const outcome = await handle.done;
  process.stdout.write(`ended ${JSON.stringify(outcome)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  main(JSON.parse(process.argv[2]!) as OrphanRunnerSpec).catch((err: Error) => {
    process.stderr.write(`${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
