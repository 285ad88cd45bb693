import fs from "node:fs";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loadConfig } from "../../lib/config/env";
import { createDriver } from "../../runner/sandbox/select";
import { BwrapDriver } from "../../runner/sandbox/bwrap/driver";
import { SandboxInfrastructureError, type SandboxDriver } from "../../runner/sandbox/driver";
import { loadSeccompProfile } from "../../runner/sandbox/seccomp";
import { assertSandboxed, openDriver, runProgram } from "../support/drivers";
import { tempDir } from "../support/stack";

/**
 * What the bwrap driver does differently from the oci driver, checked from
 * inside a run: the seccomp filter it compiles from the OCI profile refuses
 * exactly what the profile refuses (with the profile's errno), the same
 * answers as under crun; nothing of the runner's process reaches the run but
 * its three streams; the process state the launcher sets before bwrap.
 */

// x86-64 numbers. Each probe is harmless even where allowed (zero or benign arguments).
const PROBE = `import ctypes, json
libc = ctypes.CDLL(None, use_errno=True)
def call(nr, *args):
    ctypes.set_errno(0)
    rc = libc.syscall(nr, *[ctypes.c_long(a) for a in args])
    return [rc if rc < 0 else "ok", ctypes.get_errno() if rc < 0 else 0]
print(json.dumps({
    # Named with EPERM in the profile; the kernel alone would allow unshare(0) and personality(query).
    "unshare(0)": call(272, 0),
    "personality(query)": call(135, 0xffffffff),
    "ptrace(TRACEME)": call(101, 0, 0, 0, 0),
    "keyctl": call(250, 0, 0, 0, 0, 0),
    "setns": call(308, 0, 0),
    # Named with ENOSYS: inotify (the shared root) and clone3 (its flags cannot be checked).
    "inotify_init1": call(294, 0),
    "clone3": call(435, 0, 0),
    # Not named at all: the default action, ENOSYS; the kernel alone answers them.
    "sysfs(3)": call(139, 3),
    "get_mempolicy": call(239, 0, 0, 0, 0, 0),
    "modify_ldt(read)": call(154, 0, 0, 0),
    # socket() by family and protocol: allowed ones give a socket, the rest EPERM.
    "socket(AF_UNIX)": call(41, 1, 1, 0),
    "socket(AF_INET)": call(41, 2, 1, 0),
    "socket(AF_NETLINK, ROUTE)": call(41, 16, 3, 0),
    "socket(AF_NETLINK, AUDIT)": call(41, 16, 3, 9),
    "socket(AF_ALG)": call(41, 38, 5, 0),
    "socket(AF_VSOCK)": call(41, 40, 1, 0),
    "socketpair(AF_INET)": call(53, 2, 1, 0, 0),
}, sort_keys=True))`;

const EXPECTED = {
  "unshare(0)": [-1, 1],
  "personality(query)": [-1, 1],
  "ptrace(TRACEME)": [-1, 1],
  keyctl: [-1, 1],
  setns: [-1, 1],
  inotify_init1: [-1, 38],
  clone3: [-1, 38],
  "sysfs(3)": [-1, 38],
  get_mempolicy: [-1, 38],
  "modify_ldt(read)": [-1, 38],
  "socket(AF_UNIX)": ["ok", 0],
  "socket(AF_INET)": ["ok", 0],
  "socket(AF_NETLINK, ROUTE)": ["ok", 0],
  "socket(AF_NETLINK, AUDIT)": [-1, 1],
  "socket(AF_ALG)": [-1, 1],
  "socket(AF_VSOCK)": [-1, 1],
  "socketpair(AF_INET)": [-1, 1],
};

describe("bwrap driver", () => {
  let bwrap: SandboxDriver;
  let crun: SandboxDriver;
  beforeAll(async () => {
    bwrap = await openDriver("bwrap");
    crun = await openDriver("oci/crun");
    await assertSandboxed(bwrap);
  });
  afterAll(async () => {
    await bwrap?.close();
    await crun?.close();
  });

  it("the compiled seccomp filter refuses what the profile refuses, with its errno, as crun does", async () => {
    // The probe's expectations follow the profile: a call it names as refused must be one we expect refused.
    const profile = loadSeccompProfile();
    const refused = new Set(profile.syscalls.filter((r) => r.action === "SCMP_ACT_ERRNO" && !r.args).flatMap((r) => r.names));
    for (const name of ["unshare", "personality", "ptrace", "keyctl", "setns", "inotify_init1", "clone3"]) expect(refused.has(name)).toBe(true);
    const named = new Set(profile.syscalls.flatMap((r) => r.names));
    for (const name of ["sysfs", "get_mempolicy", "modify_ldt"]) expect(named.has(name)).toBe(false);

    const [underBwrap, underCrun] = await Promise.all([runProgram(bwrap, "python", PROBE), runProgram(crun, "python", PROBE)]);
    expect(underBwrap.status).toBe("succeeded");
    expect(JSON.parse(underBwrap.stdout)).toEqual(EXPECTED);
    expect(underBwrap.stdout).toBe(underCrun.stdout);
  });

  it("the program has only its three streams open: nothing of the runner's process reaches it", async () => {
    const result = await runProgram(bwrap, "python", "import os\nprint(sorted(int(fd) for fd in os.listdir('/proc/self/fd')))");
    // 3 is the listing's own directory.
    expect(result.stdout).toBe("[0, 1, 2, 3]\n");
  });

  it("the program has no capabilities, no_new_privs, the filter, and oom_score_adj 1000", async () => {
    const result = await runProgram(bwrap, "bash", 'grep -E "^(CapEff|CapBnd|CapPrm|NoNewPrivs|Seccomp):" /proc/self/status; cat /proc/self/oom_score_adj');
    expect(result.status).toBe("succeeded");
    expect(result.stdout).toMatch(/CapEff:\s+0{16}/);
    expect(result.stdout).toMatch(/CapBnd:\s+0{16}/);
    expect(result.stdout).toMatch(/NoNewPrivs:\s+1/);
    expect(result.stdout).toMatch(/Seccomp:\s+2/);
    expect(result.stdout.trim().endsWith("1000")).toBe(true);
  });

  it("has no /sys, a read-only /proc/sys, and its own cgroup as the cgroup root", async () => {
    const result = await runProgram(
      bwrap,
      "bash",
      "ls -A /sys | wc -l; echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null && echo wrote || echo refused; sort -u -t: -k3 /proc/self/cgroup | cut -d: -f3",
    );
    expect(result.stdout).toBe("0\nrefused\n/\n");
  });

  it("says where the run's time went: prepare, start, program, collect", async () => {
    const handle = await bwrap.start(
      {
        id: "stages",
        files: [{ name: "main.sh", content: "" }],
        stdin: "",
        args: [],
        env: { SAM_ENTRY: "main.sh", SAM_RUN: "echo hi", SAM_MARKER: "stages-marker" },
        limits: { cpuTimeMs: 5000, wallTimeMs: 5000, memoryMb: 128, processes: 16, diskMb: 16 },
      },
      { stdout: () => undefined, stderr: () => undefined },
    );
    const outcome = await handle.done;
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stages?.map((s) => s.stage)).toEqual(["prepare", "start", "program", "collect"]);
    for (const s of outcome.stages!) expect(s.ms).toBeGreaterThanOrEqual(0);
  });

  it("a sandbox bwrap cannot make is an infrastructure error (retried), not the program's failure", async () => {
    const rootfs = tempDir("sam-bwrap-rootfs-");
    const workDir = tempDir("sam-bwrap-broken-");
    fs.chmodSync(rootfs, 0o755);
    // An image without tini or the launcher: bwrap itself starts, the sandbox cannot.
    const driver = new BwrapDriver({ rootfs, workDir: path.join(workDir, "runs"), runsRoot: path.join(workDir, "bwrap-runs") });
    try {
      await expect(runProgram(driver, "bash", "echo hi")).rejects.toBeInstanceOf(SandboxInfrastructureError);
    } finally {
      await driver.close();
    }
  });
});

it("SAM_SANDBOX_DRIVER=bwrap gives the bwrap driver on the prepared image", async () => {
  const config = loadConfig({ SAM_DATA_DIR: tempDir("sam-bwrap-select-"), SAM_SANDBOX_DIR: inject("sandboxDir"), SAM_SANDBOX_DRIVER: "bwrap" });
  const driver = await createDriver(config, pino({ level: "silent" }));
  try {
    expect(driver.name).toBe("bwrap");
    const result = await runProgram(driver, "python", "print('hello')");
    expect(result.stdout).toBe("hello\n");
  } finally {
    await driver.close();
  }
});
