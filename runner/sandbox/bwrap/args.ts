import fs from "node:fs";
import type { SandboxLimits } from "../driver";
import { MASKED_PATHS, READONLY_PATHS } from "../masked-paths";
import { SANDBOX_UID } from "../oci/bundle";

/**
 * The bwrap command line of one run, and the rlimits the launcher sets before
 * it. bwrap runs unprivileged (the run's own host uid, see driver.ts), so
 * everything it makes is inside the user namespace it creates:
 *  - fresh user (uid and gid 1000 map to the run's host id alone), pid,
 *    network (a loopback only), ipc, uts (hostname `sandbox`) and cgroup
 *    namespaces; no capabilities, no_new_privs, the seccomp filter (fd 3);
 *  - the image's root read-only (fd 4), the run's files read-only at /sam/in
 *    (fd 5), opened by the launcher as root; bwrap (as the run's uid) still
 *    resolves them through /proc/self/fd, so the directories on the way must
 *    be searchable by it (the run dir is 0711, see driver.ts); bwrap closes
 *    them once mounted;
 *  - /work, /tmp and /dev/shm as size-limited tmpfs (their pages count
 *    against the run's memory cgroup), a minimal read-only /dev, a fresh /proc with the
 *    masked paths covered and the read-only ones bound read-only, no /sys;
 *  - tini as pid 1 (--as-pid-1: bwrap's own reaper would wait for every
 *    process, so a background process would keep the run alive), then the
 *    image's launcher sam-run, as in the oci driver.
 */
export const FD = { seccomp: 3, rootfs: 4, input: 5 } as const;

/** Kernel resource numbers (asm-generic/resource.h; the same on x86-64 and arm64). */
const RLIMIT = { cpu: 0, fsize: 1, core: 4, nofile: 7 } as const;

/** The rlimits of a run, as the oci driver sets them (bundle.ts). */
export function runRlimits(limits: SandboxLimits): Array<{ resource: number; soft: number; hard: number }> {
  const cpuSeconds = Math.max(1, Math.ceil(limits.cpuTimeMs / 1000));
  const fileBytes = limits.diskMb * 1024 * 1024;
  return [
    { resource: RLIMIT.cpu, soft: cpuSeconds, hard: cpuSeconds + 1 },
    { resource: RLIMIT.nofile, soft: 256, hard: 256 },
    { resource: RLIMIT.fsize, soft: fileBytes, hard: fileBytes },
    { resource: RLIMIT.core, soft: 0, hard: 0 },
  ];
}

/**
 * How the masked and read-only kernel paths (../masked-paths.ts) are kept
 * from a run: a file under /proc is covered with /dev/null (reading it is
 * refused: a device on a nodev mount), a directory with an empty read-only
 * tmpfs; a read-only one is bound read-only over itself. bwrap fails on a
 * path the kernel lacks, so only those this kernel has are named (a fresh
 * /proc shows the same ones). The /sys paths need nothing: a run has no /sys.
 */
export function procCovers(exists: (p: string) => "file" | "dir" | null = kindOf): string[] {
  const args: string[] = [];
  for (const p of MASKED_PATHS.filter((m) => m.startsWith("/proc/"))) {
    const kind = exists(p);
    if (kind === "file") args.push("--ro-bind", "/dev/null", p);
    else if (kind === "dir") args.push("--perms", "0555", "--size", "4096", "--tmpfs", p, "--remount-ro", p);
  }
  for (const p of READONLY_PATHS.filter((r) => r.startsWith("/proc/"))) {
    if (exists(p)) args.push("--ro-bind", p, p);
  }
  return args;
}

function kindOf(p: string): "file" | "dir" | null {
  try {
    return fs.statSync(p).isDirectory() ? "dir" : "file";
  } catch {
    return null;
  }
}

export interface BwrapRun {
  args: string[];
  env: Record<string, string>;
  limits: SandboxLimits;
  /**
   * The run's own devpts instance (of at most SANDBOX_PTYS terminals, mounted
   * by the launcher: see `jail` in launcher.pl), bound over bwrap's, which has
   * no maximum while every sandbox's terminals come from one pool.
   */
  ptsDir: string;
}

export function bwrapArgs(binary: string, run: BwrapRun, covers: string[]): string[] {
  const bytes = run.limits.diskMb * 1024 * 1024;
  const tmpfs = (dest: string, mode: string) => ["--perms", mode, "--size", String(bytes), "--tmpfs", dest];
  const env = {
    PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    HOME: "/work",
    LANG: "C.UTF-8",
    TMPDIR: "/tmp",
    ...run.env,
  };
  return [
    binary,
    ...["--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup"],
    ...["--uid", String(SANDBOX_UID), "--gid", String(SANDBOX_UID), "--hostname", "sandbox"],
    ...["--cap-drop", "ALL", "--die-with-parent", "--new-session", "--as-pid-1"],
    ...["--seccomp", String(FD.seccomp)],
    ...["--ro-bind-fd", String(FD.rootfs), "/"],
    ...["--proc", "/proc", "--dev", "/dev", "--dev-bind", run.ptsDir, "/dev/pts", "--mqueue", "/dev/mqueue"],
    ...tmpfs("/dev/shm", "1777"),
    // --dev's tmpfs is the sandbox user's own and has no size: read-only, as the oci driver's root-owned /dev is to
    // the program (its submounts, /dev/shm, /dev/mqueue, /dev/pts and the device binds, stay as they are).
    ...["--remount-ro", "/dev"],
    ...tmpfs("/work", "0700"),
    ...tmpfs("/tmp", "1777"),
    ...["--ro-bind-fd", String(FD.input), "/sam/in"],
    ...covers,
    ...["--chdir", "/work", "--clearenv"],
    ...Object.entries(env).flatMap(([k, v]) => ["--setenv", k, v]),
    "--",
    "/usr/bin/tini",
    "--",
    "/usr/local/bin/sam-run",
    ...run.args,
  ];
}
