import { expect, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

attackSuite("writing outside the working dir", ({ driver }) => {
  it("the root filesystem and the mounted input are read-only", async () => {
    const result = await runProgram(
      driver(),
      "bash",
      'for p in /evil /usr/bin/evil /etc/evil /sam/in/evil /sam/in/files/main.sh /usr/local/bin/sam-run; do (echo x >> $p) 2>/dev/null && echo "WROTE $p"; done; touch /work/ok /tmp/ok && echo writable-ok',
    );
    expect(result.stdout).not.toContain("WROTE");
    expect(result.stdout).toContain("writable-ok");
  });
});
