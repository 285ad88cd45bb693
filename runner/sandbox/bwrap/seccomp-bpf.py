#!/usr/bin/python3
# Compiles the project's OCI-format seccomp profile (sandbox/seccomp.json) into
# the classic BPF program bwrap's --seccomp FD loads, with libseccomp's own
# Python binding (Debian's python3-seccomp), rule by rule as an OCI runtime
# (crun) does with the same library: unknown system call names are skipped,
# rules whose action is the default action add nothing, and every architecture
# not listed is refused by the kernel (libseccomp's bad-architecture action).
#
# Usage: seccomp-bpf.py PROFILE.json OUTPUT.bpf
import json
import sys

import seccomp

ACTIONS = {"SCMP_ACT_ALLOW": lambda errno: seccomp.ALLOW, "SCMP_ACT_ERRNO": lambda errno: seccomp.ERRNO(errno), "SCMP_ACT_KILL": lambda errno: seccomp.KILL}
OPS = {
    "SCMP_CMP_NE": seccomp.NE,
    "SCMP_CMP_LT": seccomp.LT,
    "SCMP_CMP_LE": seccomp.LE,
    "SCMP_CMP_EQ": seccomp.EQ,
    "SCMP_CMP_GE": seccomp.GE,
    "SCMP_CMP_GT": seccomp.GT,
    "SCMP_CMP_MASKED_EQ": seccomp.MASKED_EQ,
}
ARCHES = {"SCMP_ARCH_X86_64": seccomp.Arch.X86_64, "SCMP_ARCH_X86": seccomp.Arch.X86, "SCMP_ARCH_X32": seccomp.Arch.X32, "SCMP_ARCH_AARCH64": seccomp.Arch.AARCH64}


def action(name, errno):
    if name not in ACTIONS:
        raise SystemExit(f"seccomp-bpf.py: unsupported action {name}")
    return ACTIONS[name](errno)


def main(profile_path, output_path):
    with open(profile_path) as f:
        profile = json.load(f)
    default_errno = profile.get("defaultErrnoRet", 1)
    default = action(profile["defaultAction"], default_errno)
    filt = seccomp.SyscallFilter(defaction=default)
    # Architecture tokens come signed or unsigned from the binding: compare them as 32-bit values.
    native = seccomp.system_arch() & 0xFFFFFFFF
    arches = [ARCHES[a] for a in profile.get("architectures", [])]
    if arches and native not in [a & 0xFFFFFFFF for a in arches]:
        raise SystemExit("seccomp-bpf.py: the profile does not cover this machine's architecture")
    for arch in arches:
        if arch & 0xFFFFFFFF != native:
            filt.add_arch(arch)
    for rule in profile["syscalls"]:
        if rule["action"] == profile["defaultAction"] and rule.get("errnoRet", default_errno) == default_errno:
            continue
        act = action(rule["action"], rule.get("errnoRet", 1))
        args = [seccomp.Arg(a["index"], OPS[a["op"]], a["value"], a.get("valueTwo", 0)) for a in rule.get("args", [])]
        for name in rule["names"]:
            try:
                known = seccomp.resolve_syscall(seccomp.Arch.NATIVE, name) >= 0
            except ValueError:
                known = False
            if not known:
                continue  # a call this libseccomp does not know: refused by the default action
            filt.add_rule(act, name, *args)
    with open(output_path, "wb") as out:
        filt.export_bpf(out)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: seccomp-bpf.py PROFILE.json OUTPUT.bpf")
    main(sys.argv[1], sys.argv[2])
