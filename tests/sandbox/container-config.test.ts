import { describe, expect, it } from "vitest";
import type { SandboxRun } from "../../runner/sandbox/driver";
import { containerCreateOptions } from "../../runner/sandbox/docker/create-options";
import { MASKED_PATHS, READONLY_PATHS } from "../../runner/sandbox/masked-paths";
import { ociConfig } from "../../runner/sandbox/oci/bundle";
import { loadSeccompProfile } from "../../runner/sandbox/seccomp";

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
const bundle = () =>
  ociConfig(run, { rootfs: "/r", inputDir: "/i", cgroupsPath: "/c", seccomp: loadSeccompProfile() });
const create = (isPodman: boolean) => containerCreateOptions(run, { image: "img", isPodman, inputDir: "/i", cpuCores: 1, cgroupParent: "/p" });

// Docker's defaults (moby oci/defaults.go): ours must include every one.
const DOCKER_MASKED = ["/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/sched_debug", "/proc/scsi", "/proc/timer_list", "/proc/timer_stats", "/sys/devices/virtual/powercap", "/sys/firmware"];
const DOCKER_READONLY = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

describe("oci bundle", () => {
  it("masks the RAPL powercap counters and everything Docker masks; Docker's read-only paths are read-only", () => {
    const { linux } = bundle();
    expect(linux.maskedPaths).toEqual(expect.arrayContaining(DOCKER_MASKED));
    expect(linux.maskedPaths).toContain("/sys/devices/virtual/powercap");
    expect(linux.readonlyPaths).toEqual(expect.arrayContaining(DOCKER_READONLY));
  });
});

describe("docker create body", () => {
  const opts = (body: ReturnType<typeof create>): string[] => body.HostConfig!.SecurityOpt ?? [];

  it("Docker: masked and read-only paths as HostConfig fields (replacing its defaults, which ours include)", () => {
    const host = create(false).HostConfig!;
    expect(host.MaskedPaths).toEqual(MASKED_PATHS);
    expect(host.MaskedPaths).toEqual(expect.arrayContaining(DOCKER_MASKED));
    expect(host.ReadonlyPaths).toEqual(READONLY_PATHS);
  });

  it("Podman: masked paths as a mask= option (it ignores MaskedPaths)", () => {
    const mask = opts(create(true)).find((o) => o.startsWith("mask="));
    expect(mask?.slice("mask=".length).split(":")).toEqual(MASKED_PATHS);
  });

  it("gives Docker the profile's JSON and Podman its path; no new privileges either way", () => {
    const docker = opts(create(false)).find((o) => o.startsWith("seccomp="))!;
    expect(JSON.parse(docker.slice("seccomp=".length))).toEqual(loadSeccompProfile());
    expect(opts(create(true)).find((o) => o.startsWith("seccomp="))).toMatch(/^seccomp=\/.*sandbox\/seccomp\.json$/);
    for (const isPodman of [false, true]) expect(opts(create(isPodman))).toContain("no-new-privileges");
  });
});
