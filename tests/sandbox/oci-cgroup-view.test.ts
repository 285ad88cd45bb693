import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { OciDriver } from "../../runner/sandbox/oci/driver";
import { RUNS_TOP } from "../../runner/sandbox/oci/run-registry";
import { OciRuntimeBinary } from "../../runner/sandbox/oci/runtime-binary";
import { sandboxOwner } from "../../runner/sandbox/deadline";
import { runProgram } from "../support/drivers";
import { tempDir } from "../support/stack";

/**
 * crun on a hybrid cgroup host runs in a mount namespace without the v2 tree
 * (runtime-binary.ts). When that view only unmounted the tree, crun made each
 * container's cgroup path as plain directories in the host's /sys/fs/cgroup
 * tmpfs, under the v2 tree's mount point, where nobody removed them.
 */
describe("crun's cgroup view on a hybrid host", () => {
  let driver: OciDriver;
  let workDir: string;
  beforeAll(() => {
    workDir = tempDir("sam-oci-cgroup-view-");
    driver = new OciDriver({ runtime: "crun", rootfs: inject("rootfs"), workDir, warmContainers: 0 });
  });
  afterAll(async () => {
    await driver?.close();
  });

  it.runIf(OciRuntimeBinary.needsV1View("crun"))("leaves nothing in the host's tmpfs under the v2 tree's mount point", async () => {
    const result = await runProgram(driver, "bash", "echo ran");
    expect(result.stdout).toBe("ran\n");
    // What lies under the v2 mount point, seen from a namespace where it is unmounted.
    const hidden = `/sys/fs/cgroup/unified${RUNS_TOP}/${sandboxOwner(workDir)}`;
    const found = execFileSync(
      "unshare",
      ["--mount", "--propagation", "private", "sh", "-c", `umount /sys/fs/cgroup/unified && ls -A "${hidden}" 2>/dev/null || true`],
      {
        encoding: "utf8",
      },
    );
    expect(found).toBe("");
  });

  it.runIf(OciRuntimeBinary.needsV1View("crun"))("a plain directory beside the hierarchies (no cgroup mount) does not stop crun", async () => {
    // Seen during a test run: something made /sys/fs/cgroup/cpu,cpuacct for a moment, and a view that moved every entry failed.
    const plain = "/sys/fs/cgroup/sam-test-plain-dir";
    fs.mkdirSync(plain, { recursive: true });
    const other = new OciDriver({ runtime: "crun", rootfs: inject("rootfs"), workDir: tempDir("sam-oci-cgroup-view-plain-"), warmContainers: 0 });
    try {
      expect((await runProgram(other, "bash", "echo ran")).stdout).toBe("ran\n");
    } finally {
      await other.close();
      fs.rmdirSync(plain);
    }
  });
});
