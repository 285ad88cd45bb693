import { describe, expect, it } from "vitest";
import { bwrapArgs, FD, procCovers, runRlimits } from "../../runner/sandbox/bwrap/args";
import { MASKED_PATHS, READONLY_PATHS } from "../../runner/sandbox/masked-paths";

const limits = { cpuTimeMs: 2500, wallTimeMs: 5000, memoryMb: 128, processes: 32, diskMb: 16 };

describe("bwrap command line", () => {
  it("covers every masked /proc path the kernel has (files with /dev/null, directories read-only and empty) and binds the read-only ones read-only", () => {
    const kinds: Record<string, "file" | "dir"> = { "/proc/cmdline": "file", "/proc/acpi": "dir", "/proc/sys": "dir", "/proc/irq": "dir" };
    const args = procCovers((p) => kinds[p] ?? null);
    expect(args.join(" ")).toBe(
      [
        "--perms 0555 --size 4096 --tmpfs /proc/acpi --remount-ro /proc/acpi",
        "--ro-bind /dev/null /proc/cmdline",
        "--ro-bind /proc/irq /proc/irq",
        "--ro-bind /proc/sys /proc/sys",
      ].join(" "),
    );
    // Every /proc path of both lists is considered (the /sys ones need nothing: a run has no /sys).
    const asked: string[] = [];
    procCovers((p) => {
      asked.push(p);
      return null;
    });
    expect(asked.sort()).toEqual([...MASKED_PATHS, ...READONLY_PATHS].filter((p) => p.startsWith("/proc/")).sort());
  });

  it("sets the oci driver's rlimits: CPU (limit, limit + 1 s), 256 files, file size = disk, no core", () => {
    expect(runRlimits(limits)).toEqual([
      { resource: 0, soft: 3, hard: 4 },
      { resource: 7, soft: 256, hard: 256 },
      { resource: 1, soft: 16 * 1024 * 1024, hard: 16 * 1024 * 1024 },
      { resource: 4, soft: 0, hard: 0 },
    ]);
  });

  it("unshares every namespace, drops capabilities, mounts the image read-only and runs tini as pid 1, the run's args last", () => {
    const argv = bwrapArgs("bwrap", { args: ["--", "x y"], env: { SAM_MARKER: "m" }, limits, ptsDir: "/run/r/pts" }, []);
    const text = argv.join(" ");
    for (const ns of ["user", "pid", "net", "ipc", "uts", "cgroup"]) expect(argv).toContain(`--unshare-${ns}`);
    expect(text).toContain("--uid 1000 --gid 1000 --hostname sandbox --cap-drop ALL --die-with-parent --new-session --as-pid-1");
    expect(text).toContain(`--seccomp ${FD.seccomp} --ro-bind-fd ${FD.rootfs} /`);
    expect(text).toContain(`--ro-bind-fd ${FD.input} /sam/in`);
    expect(text).toContain(`--perms 0700 --size ${16 * 1024 * 1024} --tmpfs /work`);
    // The run's own devpts instance (a maximum of terminals) over bwrap's (see tests/attacks/pty-exhaustion.test.ts).
    expect(text).toContain("--dev /dev --dev-bind /run/r/pts /dev/pts");
    // /dev read-only once /dev/shm is mounted on it (see tests/attacks/dev-writes.test.ts).
    expect(text).toContain("--tmpfs /dev/shm --remount-ro /dev");
    expect(text).toContain("--clearenv");
    expect(text).toContain("--setenv SAM_MARKER m");
    expect(argv.slice(argv.indexOf("/usr/bin/tini"))).toEqual(["/usr/bin/tini", "--", "/usr/local/bin/sam-run", "--", "x y"]);
    expect(argv).not.toContain("--bind");
    expect(argv).not.toContain("--share-net");
  });
});
