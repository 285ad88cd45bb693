import type Docker from "dockerode";
import type { SandboxRun } from "../driver";
import { MASKED_PATHS, READONLY_PATHS } from "../masked-paths";
import { loadSeccompProfile, SECCOMP_PROFILE_PATH } from "../seccomp";

/**
 * Podman's per-container user namespace: "auto" (ids from the `containers`
 * user's /etc/subuid range, none shared with another container of the store)
 * with its size given. The size matters: without one, Podman 4.3
 * (containers/storage 1.43, Debian 12's) measures the image while holding the
 * layer store's lock, and in doing so takes storage.lock, the reverse of every
 * other path's order; when another podman process (a `container cleanup`, a
 * CLI command, another service) has touched storage.lock meanwhile, it also
 * re-takes the layer lock it holds. The service then deadlocks with itself or
 * with that process, for good, and every podman command on the store hangs
 * (containers/podman#16062, fixed upstream by containers/storage#1387). With a
 * size that step is skipped, and with it the temporary layer it mounts (a
 * create takes about half the time). 65536 ids: room for the image's users
 * (nobody is 65534), and the oci driver's block size.
 */
export const PODMAN_USERNS = "auto:size=65536";

export interface CreateContext {
  image: string;
  isPodman: boolean;
  /** The run's files and stdin on the host, mounted read-only at /sam/in. */
  inputDir: string;
  cpuCores: number;
  cgroupParent: string;
  /** The AppArmor profile runs are confined with, where the host has AppArmor (see ../apparmor.ts). */
  apparmorProfile?: string;
  /** Labels beside `sam.run` (the driver's owner and deadline labels, see driver.ts). */
  labels?: Record<string, string>;
}

/**
 * The Docker Engine API body that creates one run's container: the same
 * sandbox as the oci driver's bundle (see ../oci/bundle.ts), said in the
 * engine's words. Where Docker and Podman's compatible API differ:
 *  - user namespace: Docker remaps every container itself (userns-remap or a
 *    rootless engine, required at start: see engine.ts); Podman is asked for
 *    one of its own per container (PODMAN_USERNS, from the `containers`
 *    user's /etc/subuid range), so no two runs share a host user;
 *  - masked paths: Docker takes HostConfig.MaskedPaths (replacing its
 *    defaults, which ours include); Podman 4 ignores that field but adds
 *    paths given as `mask=a:b` (its read-only paths are Docker's already);
 *  - seccomp: Docker wants the profile's JSON, Podman a path to it.
 */
export function containerCreateOptions(spec: SandboxRun, ctx: CreateContext): Docker.ContainerCreateOptions {
  const { limits } = spec;
  const memory = limits.memoryMb * 1024 * 1024;
  const cpuSeconds = Math.max(1, Math.ceil(limits.cpuTimeMs / 1000));
  const tmpfs = `rw,nosuid,nodev,size=${limits.diskMb}m`;
  const seccomp = ctx.isPodman ? SECCOMP_PROFILE_PATH : JSON.stringify(loadSeccompProfile());
  return {
    Image: ctx.image,
    Cmd: spec.args,
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    User: "1000:1000",
    WorkingDir: "/work",
    Hostname: "sandbox",
    NetworkDisabled: true,
    AttachStdout: true,
    AttachStderr: true,
    // Live input: the container's stdin stays open while we are attached and closes when we end it.
    ...(spec.interactive ? { AttachStdin: true, OpenStdin: true, StdinOnce: true } : {}),
    Labels: { ...ctx.labels, "sam.run": spec.id },
    HostConfig: {
      Binds: [`${ctx.inputDir}:/sam/in:ro`],
      ReadonlyRootfs: true,
      Tmpfs: {
        // Podman 4 has no uid= for tmpfs; its U option gives the mount to the container user instead.
        "/work": `${tmpfs},mode=0700,${ctx.isPodman ? "U" : "uid=1000,gid=1000"}`,
        "/tmp": `${tmpfs},mode=1777`,
        // Podman mounts these as unsized tmpfs on a read-only root: sized like the others.
        "/var/tmp": `${tmpfs},mode=1777`,
        "/run": `${tmpfs},mode=0755`,
      },
      // Output leaves only through the attach stream; an engine log would copy all of it to the host's disk
      // (Podman's conmon wrote 147 MB of one run to ctr.log before the run was stopped).
      LogConfig: { Type: "none", Config: {} },
      ShmSize: limits.diskMb * 1024 * 1024,
      Memory: memory,
      MemorySwap: memory,
      PidsLimit: limits.processes,
      NanoCpus: Math.round(ctx.cpuCores * 1e9),
      CapDrop: ["ALL"],
      SecurityOpt: [
        "no-new-privileges",
        `seccomp=${seccomp}`,
        ...(ctx.apparmorProfile ? [`apparmor=${ctx.apparmorProfile}`] : []),
        ...(ctx.isPodman ? [`mask=${MASKED_PATHS.join(":")}`] : []),
      ],
      ...(ctx.isPodman ? { UsernsMode: PODMAN_USERNS } : { MaskedPaths: MASKED_PATHS, ReadonlyPaths: READONLY_PATHS }),
      NetworkMode: "none",
      CgroupParent: ctx.cgroupParent,
      OomScoreAdj: 1000,
      Ulimits: [
        { Name: "nofile", Soft: 256, Hard: 256 },
        // Podman needs an explicit nproc at or below the host's hard limit; pids are capped by the cgroup.
        { Name: "nproc", Soft: 1024, Hard: 1024 },
        { Name: "cpu", Soft: cpuSeconds, Hard: cpuSeconds + 1 },
        { Name: "fsize", Soft: limits.diskMb * 1024 * 1024, Hard: limits.diskMb * 1024 * 1024 },
        { Name: "core", Soft: 0, Hard: 0 },
      ],
    },
  };
}
