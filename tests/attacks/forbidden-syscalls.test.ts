import { expect, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

// x86-64 syscall numbers; each is called directly so libc cannot hide a refusal.
const SYSCALLS: Record<string, number> = {
  ptrace: 101,
  mount: 165,
  umount2: 166,
  pivot_root: 155,
  unshare: 272,
  setns: 308,
  process_vm_readv: 310,
  process_vm_writev: 311,
  kexec_load: 246,
  init_module: 175,
  finit_module: 313,
  delete_module: 176,
  bpf: 321,
  perf_event_open: 298,
  keyctl: 250,
  add_key: 248,
  request_key: 249,
  userfaultfd: 323,
  io_uring_setup: 425,
};

attackSuite("ptrace, mount, unshare and other forbidden system calls", ({ driver }) => {
  it("every one of them is refused", async () => {
    const source = `import ctypes, json
libc = ctypes.CDLL(None, use_errno=True)
calls = ${JSON.stringify(SYSCALLS)}
out = {}
for name, nr in calls.items():
    ctypes.set_errno(0)
    rc = libc.syscall(nr, 0, 0, 0, 0, 0, 0)
    out[name] = [rc, ctypes.get_errno()]
print(json.dumps(out))`;
    const result = await runProgram(driver(), "python", source);
    const outcome = JSON.parse(result.stdout) as Record<string, [number, number]>;
    for (const [name, [rc, errno]] of Object.entries(outcome)) {
      expect({ name, rc }).toEqual({ name, rc: -1 });
      // EPERM from the seccomp profile (ENOSYS for io_uring where the kernel lacks it).
      expect([1, 38]).toContain(errno);
    }
  });

  it("namespaces cannot be made through clone() either, and the unshare and mount tools fail", async () => {
    const result = await runProgram(driver(), "bash", "unshare -U -r id 2>&1; echo rc=$?; mount -t tmpfs none /tmp 2>&1; echo rc=$?");
    expect(result.stdout).toContain("rc=1");
    expect(result.stdout).not.toContain("uid=0");
    expect(result.stdout).not.toMatch(/rc=0/);
  });
});
