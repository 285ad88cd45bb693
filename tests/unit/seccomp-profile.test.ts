import { describe, expect, it } from "vitest";
import { loadSeccompProfile } from "../../runner/sandbox/seccomp";

/**
 * The profile's shape, read as the drivers read it. Its effect on real
 * programs is tested in tests/attacks (forbidden-syscalls, socket-families,
 * syscall-abi) and by every language's test program in contract.test.ts.
 */
const profile = loadSeccompProfile();
const rulesFor = (name: string) => profile.syscalls.filter((r) => r.names.includes(name));

// What the deny-list refused before it became an allow-list: still refused, by name.
const REFUSED = [
  "mount",
  "umount2",
  "pivot_root",
  "chroot",
  "move_mount",
  "open_tree",
  "fsopen",
  "fsconfig",
  "fsmount",
  "fspick",
  "mount_setattr",
  "ptrace",
  "process_vm_readv",
  "process_vm_writev",
  "kcmp",
  "pidfd_getfd",
  "kexec_load",
  "kexec_file_load",
  "init_module",
  "finit_module",
  "delete_module",
  "bpf",
  "perf_event_open",
  "keyctl",
  "add_key",
  "request_key",
  "unshare",
  "setns",
  "userfaultfd",
  "io_uring_setup",
  "io_uring_enter",
  "io_uring_register",
  "open_by_handle_at",
  "name_to_handle_at",
  "lookup_dcookie",
  "quotactl",
  "quotactl_fd",
  "swapon",
  "swapoff",
  "reboot",
  "syslog",
  "acct",
  "vhangup",
  "settimeofday",
  "clock_settime",
  "clock_adjtime",
  "adjtimex",
  "iopl",
  "ioperm",
  "uselib",
  "nfsservctl",
  "fanotify_init",
  "sethostname",
  "setdomainname",
  "personality",
];

describe("seccomp profile", () => {
  it("is an allow-list: anything unnamed answers ENOSYS (libc falls back; a new kernel's calls stay refused)", () => {
    expect(profile.defaultAction).toBe("SCMP_ACT_ERRNO");
    expect(profile.defaultErrnoRet).toBe(38);
  });

  it("names only the x86-64 ABI, so the kernel refuses 32-bit and x32 calls", () => {
    expect(profile.architectures).toEqual(["SCMP_ARCH_X86_64"]);
  });

  it("refuses everything the old deny-list refused, and allows none of it", () => {
    for (const name of REFUSED) {
      const rules = rulesFor(name);
      expect({ name, actions: rules.map((r) => r.action) }).toEqual({ name, actions: ["SCMP_ACT_ERRNO"] });
    }
  });

  it("allows clone only without namespace flags, and clone3 answers ENOSYS", () => {
    const allow = rulesFor("clone").filter((r) => r.action === "SCMP_ACT_ALLOW");
    expect(allow).toEqual([{ names: ["clone"], action: "SCMP_ACT_ALLOW", args: [{ index: 0, value: 0x7e020000, valueTwo: 0, op: "SCMP_CMP_MASKED_EQ" }] }]);
    expect(rulesFor("clone3")).toEqual([{ names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38 }]);
  });

  it("allows socket() for AF_UNIX, AF_INET, AF_INET6 and NETLINK_ROUTE only", () => {
    const allowed = rulesFor("socket")
      .filter((r) => r.action === "SCMP_ACT_ALLOW")
      .map((r) => r.args);
    expect(allowed).toEqual([
      [{ index: 0, value: 1, op: "SCMP_CMP_EQ" }],
      [{ index: 0, value: 2, op: "SCMP_CMP_EQ" }],
      [{ index: 0, value: 10, op: "SCMP_CMP_EQ" }],
      [
        { index: 0, value: 16, op: "SCMP_CMP_EQ" },
        { index: 2, value: 0, op: "SCMP_CMP_EQ" },
      ],
    ]);
    // socketcall() (the 32-bit multiplexer) is nowhere: it is refused, never a way around these rules.
    expect(rulesFor("socketcall")).toEqual([]);
  });
});
