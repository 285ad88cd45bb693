import fs from "node:fs";
import { expect, inject, it } from "vitest";
import { attackSuite } from "../support/attack-suite";
import { runProgram } from "../support/drivers";

attackSuite("reading host secrets", ({ driver }) => {
  it("the environment holds none of the server's variables", async () => {
    process.env.SAM_TEST_CANARY = "canary-value-must-not-leak";
    const result = await runProgram(driver(), "bash", "env; cat /proc/1/environ | tr '\\0' '\\n'");
    for (const name of ["DATABASE_URL", "REDIS_URL", "SAM_SECRET", "NEXTAUTH_SECRET", "SAM_TEST_CANARY", "canary-value"]) {
      expect(result.stdout).not.toContain(name);
    }
  });

  it("host files and the server's data are out of reach", async () => {
    const secretFile = `${inject("dataDir")}/secret`;
    const secret = fs.readFileSync(secretFile, "utf8").trim();
    const result = await runProgram(
      driver(),
      "bash",
      `for f in '${secretFile}' /etc/shadow /root/.bashrc /proc/1/root/root/.bashrc /home; do cat "$f" 2>/dev/null && echo "READ $f"; done; ls /root 2>/dev/null && echo "LISTED /root"; grep -r '${secret.slice(0, 12)}' / --include=secret -s -l 2>/dev/null | head -3; echo end`,
      { limits: { wallTimeMs: 20000 } },
    );
    expect(result.stdout).not.toContain("READ");
    expect(result.stdout).not.toContain("LISTED");
    expect(result.stdout).not.toContain(secret);
    expect(result.stdout.trim().endsWith("end")).toBe(true);
  });

  it("runs as an unprivileged user with no capabilities and no_new_privs", async () => {
    const result = await runProgram(driver(), "bash", "id -u; grep -E '^(CapEff|CapPrm|CapBnd|NoNewPrivs|Seccomp):' /proc/self/status");
    expect(result.stdout).toMatch(/^1000\n/);
    expect(result.stdout).toMatch(/CapEff:\s+0000000000000000/);
    expect(result.stdout).toMatch(/CapPrm:\s+0000000000000000/);
    expect(result.stdout).toMatch(/NoNewPrivs:\s+1/);
    expect(result.stdout).toMatch(/Seccomp:\s+2/);
  });
});
