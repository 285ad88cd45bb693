import pino from "pino";
import { describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../lib/config/env";
import type { SandboxRun } from "../../runner/sandbox/driver";
import { containerCreateOptions } from "../../runner/sandbox/docker/create-options";
import { connectDockerEngine, ensureUserNamespaces, userNamespaceProblem } from "../../runner/sandbox/docker/engine";
import { MASKED_PATHS, READONLY_PATHS } from "../../runner/sandbox/masked-paths";
import { ociConfig } from "../../runner/sandbox/oci/bundle";
import { loadSeccompProfile } from "../../runner/sandbox/seccomp";
import { tempDir } from "../support/stack";

/**
 * What each driver asks of the kernel, read from the config it hands over: the
 * OCI bundle's config.json and the Docker Engine API create body. The
 * behaviour behind them is tested in tests/attacks.
 */
const run: SandboxRun = {
  id: "abc",
  files: [],
  stdin: "",
  args: [],
  env: {},
  limits: { cpuTimeMs: 1000, wallTimeMs: 2000, memoryMb: 64, processes: 16, diskMb: 8 },
};
const bundle = (apparmorProfile?: string) =>
  ociConfig(run, {
    rootfs: "/r",
    inputDir: "/i",
    cgroupsPath: "/c",
    seccomp: loadSeccompProfile(),
    idRange: { hostId: 0x70010000, size: 65536 },
    apparmorProfile,
  });
const create = (isPodman: boolean, apparmorProfile?: string) =>
  containerCreateOptions(run, { image: "img", isPodman, inputDir: "/i", cpuCores: 1, cgroupParent: "/p", apparmorProfile });

// Docker's defaults (moby oci/defaults.go): ours must include every one.
const DOCKER_MASKED = [
  "/proc/acpi",
  "/proc/asound",
  "/proc/interrupts",
  "/proc/kcore",
  "/proc/keys",
  "/proc/latency_stats",
  "/proc/sched_debug",
  "/proc/scsi",
  "/proc/timer_list",
  "/proc/timer_stats",
  "/sys/devices/virtual/powercap",
  "/sys/firmware",
];
const DOCKER_READONLY = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

describe("oci bundle", () => {
  it("masks the RAPL powercap counters and everything Docker masks; Docker's read-only paths are read-only", () => {
    const { linux } = bundle();
    expect(linux.maskedPaths).toEqual(expect.arrayContaining(DOCKER_MASKED));
    expect(linux.maskedPaths).toContain("/sys/devices/virtual/powercap");
    expect(linux.readonlyPaths).toEqual(expect.arrayContaining(DOCKER_READONLY));
  });

  it("maps the container's ids to the block it was given", () => {
    const { linux } = bundle();
    expect(linux.uidMappings).toEqual([{ containerID: 0, hostID: 0x70010000, size: 65536 }]);
    expect(linux.gidMappings).toEqual([{ containerID: 0, hostID: 0x70010000, size: 65536 }]);
  });

  it("names the AppArmor profile exactly when the host loaded it", () => {
    expect(bundle("sam-sandbox").process.apparmorProfile).toBe("sam-sandbox");
    expect(bundle().process).not.toHaveProperty("apparmorProfile");
  });
});

describe("docker create body", () => {
  const opts = (body: ReturnType<typeof create>): string[] => body.HostConfig!.SecurityOpt ?? [];

  it("Docker: masked and read-only paths as HostConfig fields (replacing its defaults, which ours include)", () => {
    const host = create(false).HostConfig!;
    expect(host.MaskedPaths).toEqual(MASKED_PATHS);
    expect(host.MaskedPaths).toEqual(expect.arrayContaining(DOCKER_MASKED));
    expect(host.ReadonlyPaths).toEqual(READONLY_PATHS);
    // The engine's own remapping gives the user namespace (checked at start), not a per-container mode.
    expect(host.UsernsMode).toBeUndefined();
  });

  it("Podman: masked paths as a mask= option (it ignores MaskedPaths), and a user namespace of the container's own", () => {
    const body = create(true);
    const mask = opts(body).find((o) => o.startsWith("mask="));
    expect(mask?.slice("mask=".length).split(":")).toEqual(MASKED_PATHS);
    // Sized: Podman 4.3 can deadlock while sizing one itself (see PODMAN_USERNS in create-options.ts).
    expect(body.HostConfig!.UsernsMode).toBe("auto:size=65536");
  });

  it("names the AppArmor profile exactly when the host loaded it", () => {
    for (const isPodman of [false, true]) {
      expect(opts(create(isPodman, "sam-sandbox"))).toContain("apparmor=sam-sandbox");
      expect(opts(create(isPodman)).filter((o) => o.startsWith("apparmor"))).toEqual([]);
    }
  });

  it("gives Docker the profile's JSON and Podman its path; no new privileges either way", () => {
    const docker = opts(create(false)).find((o) => o.startsWith("seccomp="))!;
    expect(JSON.parse(docker.slice("seccomp=".length))).toEqual(loadSeccompProfile());
    expect(opts(create(true)).find((o) => o.startsWith("seccomp="))).toMatch(/^seccomp=\/.*sandbox\/seccomp\.json$/);
    for (const isPodman of [false, true]) expect(opts(create(isPodman))).toContain("no-new-privileges");
  });
});

describe("docker driver user namespaces", () => {
  it("refuses a Docker engine without userns-remap or rootless, saying how to enable it", () => {
    const problem = userNamespaceProblem({ SecurityOptions: ["name=apparmor", "name=seccomp,profile=builtin", "name=cgroupns"] }, false);
    expect(problem).toMatch(/without a user namespace/);
    expect(problem).toMatch(/"userns-remap": "default" in \/etc\/docker\/daemon.json/);
    expect(problem).toMatch(/rootless Docker/);
    expect(userNamespaceProblem({ SecurityOptions: null }, false)).not.toBeNull();
  });

  it("accepts a remapping or rootless Docker engine", () => {
    expect(userNamespaceProblem({ SecurityOptions: ["name=seccomp,profile=builtin", "name=userns"] }, false)).toBeNull();
    expect(userNamespaceProblem({ SecurityOptions: ["name=seccomp,profile=builtin", "name=rootless", "name=cgroupns"] }, false)).toBeNull();
  });

  it("this machine's Podman can give every container its own user namespace", async () => {
    const engine = await connectDockerEngine(loadConfig({ SAM_DATA_DIR: tempDir("sam-userns-") }), pino({ level: "silent" }));
    try {
      expect(engine.isPodman).toBe(true);
      await expect(ensureUserNamespaces(engine, inject("imageTag"))).resolves.toBeUndefined();
    } finally {
      await engine.close();
    }
  });
});
