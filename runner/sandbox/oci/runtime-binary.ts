import fs from "node:fs";
import path from "node:path";
import { isCgroupV2 } from "./cgroup-stats";
import { Launcher, type LaunchedProcess } from "./launcher";

const CGROUP2_SUPER_MAGIC = 0x63677270;
const UNIFIED = "/sys/fs/cgroup/unified";

/**
 * How the driver calls its OCI runtime (runc, crun, runsc): every call names
 * the runtime's state directory and goes through the launcher (a small perl
 * process that forks cheaply; see launcher.pl).
 *
 * crun on a "hybrid" cgroup host gets a view without the v2 tree: crun
 * refuses hybrid hosts (v1 controllers plus a v2 tree that holds a
 * controller, here hugetlb) although it handles pure v1 and pure v2. Its
 * launcher therefore runs in a mount namespace of its own where that v2 tree
 * is unmounted: crun sees plain cgroup v1, which is all we use. The namespace
 * is a slave of the host's, so the host's mounts still show through and
 * nothing in it reaches back.
 */
export class OciRuntimeBinary {
  private readonly launcher: Launcher;

  constructor(
    readonly binary: string,
    private readonly stateDir: string,
  ) {
    const v1View = ["unshare", "--mount", "--propagation", "slave", "sh", "-c", `umount ${UNIFIED} && exec "$0" "$@"`];
    this.launcher = new Launcher(OciRuntimeBinary.needsV1View(binary) ? v1View : []);
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
