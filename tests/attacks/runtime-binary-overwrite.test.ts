import { createHash } from "node:crypto";
import fs from "node:fs";
import { expect, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

/**
 * CVE-2019-5736: a container that opens the runtime's binary through
 * /proc/PID/exe for writing rewrites the host's runc or crun. The oci driver
 * now runs the runtime from a read-only bind mount of its binary (no copy,
 * see runner/sandbox/oci/runtime-binary.ts) and bwrap's own binary is the
 * host's: no process the program can see may be one of them, and no
 * /proc/PID/exe it can see may open for writing (opening writes nothing).
 */
const HOST_BINARIES = ["/usr/bin/crun", "/usr/sbin/runc", "/usr/bin/runc", "/usr/bin/bwrap"].filter((p) => fs.existsSync(p));
const digest = (p: string) => createHash("sha256").update(fs.readFileSync(p)).digest("hex");

const program = [
  "for round in $(seq 1 200); do",
  "  for p in /proc/[0-9]*; do",
  '    exe=$(readlink "$p/exe" 2>/dev/null) || continue',
  '    case "$exe" in *crun*|*runc*|*bwrap*) echo "RUNTIME $p $exe";; esac',
  '    if ( exec 3>>"$p/exe" ) 2>/dev/null; then echo "OPENED $p $exe"; fi',
  "  done",
  "done",
  "( exec 3>>/proc/self/exe ) 2>/dev/null && echo OPENED-SELF",
  "echo done",
].join("\n");

attackSuite("overwriting the runtime's binary through /proc/PID/exe", ({ driver }) => {
  it("no runtime process is visible to the program and no executable it sees opens for writing; the host's binaries are unchanged", async () => {
    const before = HOST_BINARIES.map(digest);
    const result = await runProgram(driver(), "bash", program);
    expect(result.status).toBe("succeeded");
    expect(result.stdout).not.toMatch(/RUNTIME|OPENED/);
    expect(result.stdout).toContain("done\n");
    expect(HOST_BINARIES.map(digest)).toEqual(before);
  });
});
