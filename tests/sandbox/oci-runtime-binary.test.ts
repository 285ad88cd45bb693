import fs from "node:fs";
import { describe, expect, inject, it } from "vitest";
import { OciDriver } from "../../runner/sandbox/oci/driver";
import { runProgram } from "../support/drivers";
import { tempDir } from "../support/stack";

/**
 * The OCI runtime runs from a read-only mount of its binary, and is told so
 * (_LIBCONTAINER_CLONED_BINARY), so it does not copy or re-mount itself at
 * every call to keep a container from writing it (CVE-2019-5736): the binary
 * a container could reach through /proc/PID/exe is read-only either way.
 */
describe.each(["crun", "runc"])("the %s binary the oci driver runs", (runtime) => {
  it("is on a read-only mount in the runtime's namespace, and the runtime runs it directly", async () => {
    const workDir = tempDir(`sam-oci-binary-${runtime}-`);
    const driver = new OciDriver({ runtime, rootfs: inject("rootfs"), workDir, warmContainers: 0 });
    try {
      const running = runProgram(driver, "bash", "sleep 1; echo done");
      // The runtime's `run` process of this driver, while the program sleeps.
      let pid: string | undefined;
      for (let i = 0; i < 100 && !pid; i++) {
        await new Promise((r) => setTimeout(r, 20));
        pid = fs.readdirSync("/proc").find((p) => {
          try {
            return /^\d+$/.test(p) && fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes(`${workDir}/bundles/`);
          } catch {
            return false;
          }
        });
      }
      expect(pid).toBeDefined();
      const exe = fs.readlinkSync(`/proc/${pid}/exe`);
      expect(exe).toBe(fs.realpathSync(exe));
      expect(fs.readFileSync(`/proc/${pid}/environ`, "utf8").split("\0")).toContain("_LIBCONTAINER_CLONED_BINARY=1");
      // mountinfo: ID PARENT MAJ:MIN ROOT MOUNT-POINT OPTIONS ...
      const mount = fs
        .readFileSync(`/proc/${pid}/mountinfo`, "utf8")
        .split("\n")
        .map((l) => l.split(" "))
        .filter((f) => f[4] === exe)
        .pop();
      expect(mount?.[5]?.split(",")).toContain("ro");
      expect((await running).stdout).toBe("done\n");
    } finally {
      await driver.close();
    }
  });
});
