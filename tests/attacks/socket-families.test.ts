import { expect, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

/**
 * Socket families a program has no use for reach kernel code that network
 * namespaces do not separate: AF_ALG (the kernel crypto API, used for a
 * page-cache write), AF_VSOCK (host and hypervisor services), AF_PACKET, ...
 * The seccomp profile answers EPERM for every family but AF_UNIX, AF_INET,
 * AF_INET6 and AF_NETLINK/NETLINK_ROUTE: EPERM, not the kernel's own
 * EAFNOSUPPORT, so the test shows the filter refusing even where the kernel
 * lacks a family. socket() is called directly, with the family as a 64-bit
 * value too (the kernel reads an int: 0x1_00000028 would be AF_VSOCK).
 */
const REFUSED: Record<string, [family: number | string, protocol: number]> = {
  AF_UNSPEC: [0, 0],
  AF_AX25: [3, 0],
  AF_IPX: [4, 0],
  AF_APPLETALK: [5, 0],
  AF_X25: [9, 0],
  AF_DECnet: [12, 0],
  AF_KEY: [15, 0],
  AF_PACKET: [17, 0],
  AF_RDS: [21, 0],
  AF_LLC: [26, 0],
  AF_CAN: [29, 0],
  AF_TIPC: [30, 0],
  AF_BLUETOOTH: [31, 0],
  AF_ALG: [38, 0],
  AF_NFC: [39, 0],
  AF_VSOCK: [40, 0],
  AF_KCM: [41, 0],
  AF_QIPCRTR: [42, 0],
  AF_XDP: [44, 0],
  AF_MCTP: [45, 0],
  "AF_VSOCK in 64 bits": ["0x100000028", 0],
  "AF_ALG in 64 bits": ["0x100000026", 0],
  "AF_NETLINK/NETLINK_SOCK_DIAG": [16, 4],
  "AF_NETLINK/NETLINK_KOBJECT_UEVENT": [16, 15],
  "AF_NETLINK/NETLINK_GENERIC": [16, 16],
};
const ALLOWED: Record<string, [number, number, number]> = {
  AF_UNIX: [1, 1, 0],
  AF_INET: [2, 1, 0],
  AF_INET6: [10, 1, 0],
  "AF_NETLINK/NETLINK_ROUTE": [16, 3, 0],
};

const source = `import ctypes, json, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
SYS_socket = 41
def call(family, type_, protocol):
    ctypes.set_errno(0)
    fd = libc.syscall(ctypes.c_long(SYS_socket), ctypes.c_long(int(str(family), 0)), ctypes.c_long(type_), ctypes.c_long(protocol))
    err = ctypes.get_errno()
    if fd >= 0: os.close(fd)
    return [fd, err]
refused = {name: call(f, 2 if f == 16 else 5 if f in (38, "0x100000026") else 1, p) for name, (f, p) in ${JSON.stringify(REFUSED)}.items()}
allowed = {name: call(*args) for name, args in ${JSON.stringify(ALLOWED)}.items()}
print(json.dumps({"refused": refused, "allowed": allowed}))`;

attackSuite("socket families the kernel should not be asked for", ({ driver }) => {
  it("AF_ALG, AF_VSOCK, AF_PACKET and every other exotic family are refused by the filter (EPERM)", async () => {
    const result = await runProgram(driver(), "python", source);
    const outcome = JSON.parse(result.stdout) as { refused: Record<string, [number, number]>; allowed: Record<string, [number, number]> };
    for (const [name, [fd, errno]] of Object.entries(outcome.refused)) expect({ name, fd, errno }).toEqual({ name, fd: -1, errno: 1 });
    // The families programs need still work: the filter is not simply refusing socket().
    for (const [name, [fd]] of Object.entries(outcome.allowed)) expect({ name, ok: fd >= 0 }).toEqual({ name, ok: true });
  });

  it("socketpair() is AF_UNIX only", async () => {
    const result = await runProgram(
      driver(),
      "python",
      `import ctypes
libc = ctypes.CDLL(None, use_errno=True)
fds = (ctypes.c_int * 2)()
for family in (1, 2, 40):
    ctypes.set_errno(0)
    print(family, libc.syscall(53, family, 1, 0, fds), ctypes.get_errno())`,
    );
    expect(result.stdout).toBe("1 0 0\n2 -1 1\n40 -1 1\n");
  });
});
