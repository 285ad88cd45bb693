import fs from "node:fs";
import path from "node:path";
import { isCgroupV2 } from "./cgroup-stats";
import { Launcher, type LaunchedProcess } from "./launcher";

const CGROUP2_SUPER_MAGIC = 0x63677270;
const UNIFIED = "/sys/fs/cgroup/unified";

/**
 * Makes the launcher's mount namespace show only the v1 hierarchies under
 * /sys/fs/cgroup. Unmounting the v2 tree alone is not enough: crun then
 * finds the directory it was mounted on (in the host's /sys/fs/cgroup tmpfs,
 * hidden under the host's mount) and makes each container's cgroup path there
 * too, as plain directories nobody removes: hundreds of MB of tmpfs after
 * some 50,000 runs on a test machine. So the hierarchies move to a tmpfs of
 * this namespace (symlinks such as cpu -> cpu,cpuacct copied; a plain
 * directory, which is no hierarchy, left out), which replaces
 * /sys/fs/cgroup read-only: no `unified` there, and crun skips a hierarchy it
 * cannot find.
 */
const V1_VIEW = `umount ${UNIFIED} && mount -t tmpfs -o mode=755,size=64k sam-cgroup-v1 ${UNIFIED} || exit 1
for e in /sys/fs/cgroup/*; do
  n=\${e##*/}
  [ "$n" = unified ] && continue
  if [ -L "$e" ]; then ln -s "$(readlink "$e")" "${UNIFIED}/$n" || exit 1
  elif mountpoint -q "$e"; then mkdir "${UNIFIED}/$n" && mount --move "$e" "${UNIFIED}/$n" || exit 1; fi
done
mount --move ${UNIFIED} /sys/fs/cgroup && mount -o remount,ro /sys/fs/cgroup || exit 1
`;

/**
 * Makes the runtime binary ("$0") read-only in the launcher's namespace (a
 * read-only bind mount on itself) and tells the runtime so, then runs the
 * launcher ("$@"). runc and crun otherwise copy or bind-mount their own
 * binary read-only and execute themselves again at every call, so that a
 * container can never write the host's binary through /proc/PID/exe
 * (CVE-2019-5736); with _LIBCONTAINER_CLONED_BINARY set they check that the
 * binary they run from is on a read-only mount and skip that step (measured
 * with crun: 2.0 ms of wall and 1.4 ms of CPU less per call). If the mount
 * cannot be made the variable is not set and the runtime protects itself.
 */
const READ_ONLY_RUNTIME = `b=$(command -v "$0") && mount --bind "$b" "$b" && mount -o remount,bind,ro "$b" && export _LIBCONTAINER_CLONED_BINARY=1
exec "$@"`;

/**
 * How the driver calls its OCI runtime (runc, crun, runsc): every call names
 * the runtime's state directory and goes through the launcher (a small perl
 * process that forks cheaply; see launcher.pl).
 *
 * crun on a "hybrid" cgroup host gets a view without the v2 tree: crun
 * refuses hybrid hosts (v1 controllers plus a v2 tree that holds a
 * controller, here hugetlb) although it handles pure v1 and pure v2. Its
 * launcher therefore runs in a mount namespace of its own where that v2 tree
 * is gone (see V1_VIEW): crun sees plain cgroup v1, which is all we use. Every
 * runtime's launcher runs in such a namespace, for READ_ONLY_RUNTIME. The namespace
 * is a slave of the host's, so the host's mounts still show through and
 * nothing in it reaches back.
 */
export class OciRuntimeBinary {
  private readonly launcher: Launcher;

  constructor(
    readonly binary: string,
    private readonly stateDir: string,
  ) {
    const script = (OciRuntimeBinary.needsV1View(binary) ? V1_VIEW : "") + READ_ONLY_RUNTIME;
    this.launcher = new Launcher(["unshare", "--mount", "--propagation", "slave", "sh", "-c", script, binary]);
  }

  static needsV1View(binary: string): boolean {
    if (path.basename(binary) !== "crun" || isCgroupV2()) return false;
    try {
      return fs.statfsSync(UNIFIED).type === CGROUP2_SUPER_MAGIC && fs.readFileSync(path.join(UNIFIED, "cgroup.controllers"), "utf8").trim() !== "";
    } catch {
      return false;
    }
  }

  /**
   * `run` in the foreground, on FIFOs in `dir`: the process ends when the
   * container does, and the runtime deletes it. Its stdin reaches the
   * container's launcher. `cgroup` (the run's) is killed and removed if the
   * runner dies meanwhile (see launcher.pl).
   */
  run(dir: string, bundle: string, id: string, cgroup: string): Promise<LaunchedProcess> {
    return this.launcher.run(dir, [this.binary, "--root", this.stateDir, "run", "--bundle", bundle, id], cgroup);
  }

  /** Whether a container's init may ask for a signal when the runtime's process dies (see bundle.ts). */
  get singleThreaded(): boolean {
    return path.basename(this.binary) === "crun";
  }

  /** kill, delete and the like; resolves with the exit status. */
  call(args: string[]): Promise<number | null> {
    return this.launcher.call([this.binary, "--root", this.stateDir, ...args]);
  }

  /** Whether the runtime still has state for the container (it deletes it when `run` ends normally). */
  hasState(id: string): boolean {
    return fs.existsSync(path.join(this.stateDir, id));
  }

  /** The ids of the containers the runtime knows, read from its state directory. */
  listIds(): string[] {
    try {
      return fs.readdirSync(this.stateDir);
    } catch {
      return [];
    }
  }

  close(): void {
    this.launcher.close();
  }
}
