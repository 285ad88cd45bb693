import path from "node:path";
import { inject } from "vitest";
import pino from "pino";
import { loadConfig } from "../../lib/config/env";
import { DEFAULT_POLICY, resolveLimits, type RunLimits } from "../../lib/executions/limits";
import { loadCatalogue, type LanguageDefinition } from "../../runner/languages/catalogue";
import { executeProgram, type ProgramResult } from "../../runner/execution/execute";
import type { SandboxDriver } from "../../runner/sandbox/driver";
import { OciDriver } from "../../runner/sandbox/oci/driver";
import { BwrapDriver } from "../../runner/sandbox/bwrap/driver";
import { DockerDriver } from "../../runner/sandbox/docker/driver";
import { connectDockerEngine } from "../../runner/sandbox/docker/engine";
import { tempDir } from "./stack";

/** The oci driver with each OCI runtime it supports here, the docker driver, and bubblewrap alone. */
export const DRIVERS = ["oci/crun", "oci/runc", "docker", "bwrap"] as const;
export type DriverName = (typeof DRIVERS)[number];

/** A real driver of the given kind on the test image: an OCI runtime directly, or Podman's Docker-compatible API. */
export async function openDriver(kind: DriverName): Promise<SandboxDriver> {
  const workDir = tempDir(`sam-${kind.replace("/", "-")}-`);
  // As in production: containers started ahead of demand (a limits set's first run starts cold, so both paths run).
  if (kind === "bwrap") return new BwrapDriver({ rootfs: inject("rootfs"), workDir, warmSandboxes: 2 });
  if (kind !== "docker") return new OciDriver({ runtime: kind.slice("oci/".length), rootfs: inject("rootfs"), workDir, warmContainers: 2 });
  const config = loadConfig({ SAM_DATA_DIR: workDir });
  const engine = await connectDockerEngine(config, pino({ level: "silent" }));
  return new DockerDriver({
    docker: engine.docker,
    isPodman: engine.isPodman,
    image: inject("imageTag"),
    workDir: path.join(workDir, "runs"),
    onClose: engine.close,
  });
}

const catalogue = loadCatalogue();
export function language(name: string): LanguageDefinition {
  const found = catalogue.find((l) => l.language === name);
  if (!found) throw new Error(`no language ${name}`);
  return found;
}
export const allLanguages = () => catalogue;

/** Runs a program the way the runner does, with the default limits unless overridden. */
export function runProgram(
  driver: SandboxDriver,
  lang: string,
  source: string,
  options: { stdin?: string; args?: string[]; limits?: Partial<RunLimits>; extraFiles?: Array<{ name: string; content: string | Uint8Array }> } = {},
): Promise<ProgramResult> {
  const definition = language(lang);
  const limits = resolveLimits(DEFAULT_POLICY, definition.limits, options.limits ?? {});
  return executeProgram(
    driver,
    definition,
    { files: [{ name: definition.entryFile, content: source }, ...(options.extraFiles ?? [])], stdin: options.stdin ?? "", args: options.args ?? [] },
    limits,
    DEFAULT_POLICY.diskMb,
  );
}

/**
 * MACHINE-NOTES: an attack that escapes (or runs outside the sandbox by mistake)
 * really harms this machine. Before destructive attacks, a benign probe must
 * show the sandbox: no capabilities, its own small pid namespace, the sandbox's
 * hostname, an unprivileged user. The suite refuses to go on otherwise.
 */
export async function assertSandboxed(driver: SandboxDriver): Promise<void> {
  const probe = await runProgram(
    driver,
    "bash",
    'grep -E "^CapEff" /proc/self/status; echo "host=$(hostname)"; echo "uid=$(id -u)"; echo "procs=$(ls /proc | grep -c "^[0-9]")"',
  );
  const out = probe.stdout;
  const ok =
    probe.status === "succeeded" &&
    /CapEff:\s+0000000000000000/.test(out) &&
    out.includes("host=sandbox") &&
    out.includes("uid=1000") &&
    Number(out.match(/procs=(\d+)/)?.[1] ?? 999) < 10;
  if (!ok) throw new Error(`the sandbox probe did not show a sandbox; refusing to run attacks:\n${out}\n${probe.stderr}`);
}
