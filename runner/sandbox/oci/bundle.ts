import type { SandboxRun } from "../driver";
import { MASKED_PATHS, READONLY_PATHS } from "../masked-paths";
import type { SeccompProfile } from "../seccomp";

/**
 * The OCI runtime config (config.json) of one run. Everything that makes the
 * sandbox a sandbox is in this one object:
 *  - a user namespace: the program is uid 1000 in the container and, on the
 *    host, an id of a block no other live container has (see uid-ranges.ts),
 *    with no capabilities and no_new_privs;
 *  - fresh pid, mount, network (no interfaces but a downed loopback), ipc, uts
 *    and cgroup namespaces;
 *  - the image's root filesystem shared read-only by all runs; the only
 *    writable places are tmpfs mounts (/work, /tmp, /dev/shm) whose pages count
 *    against the memory cgroup;
 *  - the run's files bind-mounted read-only at /sam/in;
 *  - rlimits; the cgroup limits (memory without swap, pids, CPU share) are
 *    on the run's cgroup, the parent of the container's (see run-cgroup.ts);
 *  - the seccomp profile, the AppArmor profile where the host has AppArmor,
 *    and the masked and read-only kernel paths (see masked-paths.ts).
 */
export const SANDBOX_UID = 1000;

/**
 * Pseudo-terminals one sandbox may hold. Every devpts instance but the host's
 * shares one pool (kernel.pty.max - kernel.pty.reserve, 3072 by default):
 * without a maximum of its own, one run took all of it and no other sandbox
 * could start a room terminal (tests/attacks/pty-exhaustion.test.ts).
 */
export const SANDBOX_PTYS = 64;

export interface BundleOptions {
  rootfs: string;
  inputDir: string;
  /** The container's own cgroup, a child of the run's cgroup that holds the limits. */
  cgroupsPath: string;
  seccomp: SeccompProfile;
  /** The container's block of host ids: container ids 0..size-1 map to hostId..hostId+size-1. */
  idRange: { hostId: number; size: number };
  /** The AppArmor profile to confine the program with; absent where the host has no AppArmor. */
  apparmorProfile?: string;
  /**
   * The container's init (tini) gets SIGKILL when the runtime's process ends
   * (tini -p), so a container never outlives the process that runs it. Only
   * for a single-threaded runtime (crun): the kernel sends the signal when
   * the parent *thread* ends, and a Go runtime such as runc ends threads
   * while the container runs, which would kill it for nothing.
   */
  parentDeathSignal?: boolean;
}

export function ociConfig(run: SandboxRun, opts: BundleOptions) {
  const { limits } = run;
  const cpuSeconds = Math.max(1, Math.ceil(limits.cpuTimeMs / 1000));
  const tmpfs = (dest: string, extra: string[]) => ({
    destination: dest,
    type: "tmpfs",
    source: "tmpfs",
    options: ["nosuid", "nodev", ...extra],
  });
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: false,
      user: { uid: SANDBOX_UID, gid: SANDBOX_UID, additionalGids: [] },
      // The image's entrypoint (see its Dockerfile): tini as pid 1, then the launcher.
      args: ["/usr/bin/tini", ...(opts.parentDeathSignal ? ["-p", "SIGKILL"] : []), "--", "/usr/local/bin/sam-run", ...run.args],
      env: [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME=/work",
        "LANG=C.UTF-8",
        "TMPDIR=/tmp",
        ...Object.entries(run.env).map(([k, v]) => `${k}=${v}`),
      ],
      cwd: "/work",
      capabilities: { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] },
      noNewPrivileges: true,
      rlimits: [
        { type: "RLIMIT_CPU", soft: cpuSeconds, hard: cpuSeconds + 1 },
        { type: "RLIMIT_NOFILE", soft: 256, hard: 256 },
        { type: "RLIMIT_FSIZE", soft: limits.diskMb * 1024 * 1024, hard: limits.diskMb * 1024 * 1024 },
        { type: "RLIMIT_CORE", soft: 0, hard: 0 },
      ],
      oomScoreAdj: 1000,
      ...(opts.apparmorProfile ? { apparmorProfile: opts.apparmorProfile } : {}),
    },
    root: { path: opts.rootfs, readonly: true },
    hostname: "sandbox",
    mounts: [
      { destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"] },
      tmpfs("/dev", ["strictatime", "mode=755", "size=65536k"]),
      // max: the machine's pseudo-terminals are one pool shared by every sandbox (see SANDBOX_PTYS).
      {
        destination: "/dev/pts",
        type: "devpts",
        source: "devpts",
        options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", `max=${SANDBOX_PTYS}`],
      },
      tmpfs("/dev/shm", ["noexec", "mode=1777", `size=${limits.diskMb}m`]),
      { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
      { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
      tmpfs("/work", [`mode=0700`, `uid=${SANDBOX_UID}`, `gid=${SANDBOX_UID}`, `size=${limits.diskMb}m`]),
      tmpfs("/tmp", ["mode=1777", `size=${limits.diskMb}m`]),
      { destination: "/sam/in", type: "bind", source: opts.inputDir, options: ["rbind", "ro", "nosuid", "nodev", "noexec"] },
    ],
    linux: {
      uidMappings: [{ containerID: 0, hostID: opts.idRange.hostId, size: opts.idRange.size }],
      gidMappings: [{ containerID: 0, hostID: opts.idRange.hostId, size: opts.idRange.size }],
      namespaces: ["pid", "network", "ipc", "uts", "mount", "user", "cgroup"].map((type) => ({ type })),
      cgroupsPath: opts.cgroupsPath,
      // No memory/pids/cpu here: limits on a child cgroup would also count the OOM kill there,
      // out of the runner's sight once the runtime deletes the child.
      resources: { devices: [{ allow: false, access: "rwm" }] },
      seccomp: opts.seccomp,
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
}
