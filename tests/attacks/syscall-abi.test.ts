import { expect, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

/**
 * A 64-bit process may still enter the kernel through the 32-bit ABI (`int
 * 0x80`, where socketcall() multiplexes socket(), connect() and the rest) or
 * the x32 ABI (the call number with bit 30 set). Rules written for the 64-bit
 * calls do not see those: the profile names only the x86-64 ABI, so the
 * kernel refuses the others (the process is killed with SIGSYS). And a system
 * call the profile does not name (one added by a newer kernel than the profile
 * knows, or no call at all) answers ENOSYS. Every probe runs in a child
 * process so a kill ends only that probe.
 */
const PROBES = String.raw`#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long int80(long nr, long a, long b) {
  long r;
  errno = 0; /* the raw call returns -errno itself and never sets errno */
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b) : "memory");
  return r;
}

/* Runs one probe in a child: "allowed" when the call did what it asks, else how it was refused. */
static void probe(const char *name, int (*call)(void)) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) _exit(call());
  int status;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) printf("%s signal %d\n", name, WTERMSIG(status));
  else printf("%s %s\n", name, WEXITSTATUS(status) == 0 ? "allowed" : WEXITSTATUS(status) == 2 ? "ENOSYS" : "refused");
}

static int outcome(long r) { return r >= 0 ? 0 : (r == -ENOSYS || (r == -1 && errno == ENOSYS)) ? 2 : 1; }

/* i386 getpid is 20: allowed when it returns our pid. */
static int i386_getpid(void) { return int80(20, 0, 0) == getpid() ? 0 : outcome(int80(20, 0, 0)); }
/* i386 socketcall(SYS_SOCKET, {AF_VSOCK, SOCK_STREAM, 0}): the arguments must sit below 4 GiB. */
static int i386_socketcall(void) {
  unsigned int *args = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  if (args == MAP_FAILED) return 3;
  args[0] = 40; args[1] = 1; args[2] = 0;
  return outcome(int80(102, 1, (long)args));
}
/* i386 socketcall(SYS_SOCKET, {AF_INET, ...}): refused too, the whole 32-bit ABI is. */
static int i386_socketcall_inet(void) {
  unsigned int *args = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
  if (args == MAP_FAILED) return 3;
  args[0] = 2; args[1] = 1; args[2] = 0;
  return outcome(int80(102, 1, (long)args));
}
static int x32_getpid(void) { errno = 0; long r = syscall(39 | 0x40000000); return r == getpid() ? 0 : outcome(r); }
static int x32_mount(void) { errno = 0; return outcome(syscall(165 | 0x40000000, 0, 0, 0, 0, 0)); }
static long nr;
static int unnamed(void) { errno = 0; return outcome(syscall(nr, -1, "", 0, 0, 0)); }

int main(void) {
  probe("i386-getpid", i386_getpid);
  probe("i386-socketcall-vsock", i386_socketcall);
  probe("i386-socketcall-inet", i386_socketcall_inet);
  probe("x32-getpid", x32_getpid);
  probe("x32-mount", x32_mount);
  /* statmount, listmount, lsm_*, open_tree_attr, file_getattr/setattr: real calls on recent kernels the profile does not name. */
  long unnamed_calls[] = {457, 458, 459, 460, 461, 467, 468, 469, 470, 511, 1000};
  for (unsigned i = 0; i < sizeof unnamed_calls / sizeof *unnamed_calls; i++) {
    char name[32];
    nr = unnamed_calls[i];
    snprintf(name, sizeof name, "nr-%ld", nr);
    probe(name, unnamed);
  }
  return 0;
}
`;

attackSuite("32-bit and x32 system calls, and calls the profile does not name", ({ driver }) => {
  it("the 32-bit ABI (int 0x80, socketcall) and the x32 ABI are refused; unnamed call numbers answer ENOSYS", async () => {
    const result = await runProgram(driver(), "c", PROBES);
    expect(result.status).toBe("succeeded");
    const outcome = new Map(
      result.stdout
        .trim()
        .split("\n")
        .map((l) => [l.slice(0, l.indexOf(" ")), l.slice(l.indexOf(" ") + 1)]),
    );
    for (const name of ["i386-getpid", "i386-socketcall-vsock", "i386-socketcall-inet", "x32-getpid", "x32-mount"]) {
      // SIGSYS from the filter (or ENOSYS where the kernel has no such ABI): never allowed.
      expect({ name, outcome: outcome.get(name) }).toEqual({ name, outcome: expect.stringMatching(/^(signal 31|ENOSYS)$/) });
    }
    const unnamed = [...outcome.keys()].filter((n) => n.startsWith("nr-"));
    expect(unnamed).toHaveLength(11);
    for (const name of unnamed) expect({ name, outcome: outcome.get(name) }).toEqual({ name, outcome: "ENOSYS" });
  });
});
