import { execFileSync } from "node:child_process";
import path from "node:path";
import { SECCOMP_PROFILE_PATH } from "../seccomp";

const COMPILER = path.join(import.meta.dirname, "seccomp-bpf.py");
/** Debian's python3, where python3-seccomp installs (a python3 earlier in PATH, e.g. pyenv's, lacks it). */
const PYTHON = "/usr/bin/python3";

/**
 * Compiles the seccomp profile into the BPF program bwrap loads (see
 * seccomp-bpf.py), once per driver start. Throws, saying what to install,
 * where libseccomp's Python binding is missing.
 */
export function compileSeccomp(output: string, profile = SECCOMP_PROFILE_PATH): void {
  try {
    execFileSync(PYTHON, [COMPILER, profile, output], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? "").trim();
    throw new Error(`could not compile the seccomp profile for bwrap (needs ${PYTHON} with python3-seccomp): ${stderr || (err as Error).message}`, {
      cause: err,
    });
  }
}
