import { expect, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

/**
 * Attack F5: every oci run shares one read-only root filesystem, and inotify
 * works per inode, so a watch on /usr/lib/python3.11 or /usr/include showed
 * another account's run live (which modules, headers and binaries it opened).
 * The seccomp profile answers the inotify calls ENOSYS, as a kernel without
 * inotify would: a program cannot watch anything, on any driver.
 */
const SPY = `import ctypes, json
libc = ctypes.CDLL(None, use_errno=True)
out = {}
# x86-64 numbers, called directly so libc cannot hide the answer.
for name, nr, args in [("inotify_init", 253, ()), ("inotify_init1", 294, (0,)), ("inotify_add_watch", 254, (-1, b"/usr/lib", 0x20)), ("inotify_rm_watch", 255, (-1, 1))]:
    ctypes.set_errno(0)
    rc = libc.syscall(nr, *args)
    out[name] = [rc, ctypes.get_errno()]
print(json.dumps(out))`;

attackSuite("inotify on the shared root filesystem", ({ driver }) => {
  it("inotify cannot be used: every inotify call answers ENOSYS (not EBADF: the filter answers before the kernel looks)", async () => {
    const result = await runProgram(driver(), "python", SPY);
    expect(result.status).toBe("succeeded");
    const calls = JSON.parse(result.stdout) as Record<string, [number, number]>;
    expect(calls).toEqual({ inotify_init: [-1, 38], inotify_init1: [-1, 38], inotify_add_watch: [-1, 38], inotify_rm_watch: [-1, 38] });
  });

  it("tools that watch files fall back to polling: tail -f still follows a file", async () => {
    const result = await runProgram(driver(), "bash", "echo first > f; (sleep 1; echo later >> f) & timeout 4 tail -f f; wait", {
      limits: { wallTimeMs: 10_000 },
    });
    expect(result.stdout).toBe("first\nlater\n");
  });
});
