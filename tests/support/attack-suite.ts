import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe } from "vitest";
import type { SandboxDriver } from "../../runner/sandbox/driver";
import { assertSandboxed, DRIVERS, openDriver, type DriverName } from "./drivers";

/**
 * An attack regression runs against every driver, and only after a benign
 * probe through the same path has shown a real sandbox (see assertSandboxed).
 */
export function attackSuite(
  name: string,
  body: (ctx: { driver: () => SandboxDriver; kind: DriverName }) => void,
  /** Only where a driver can keep the property at all (each exception is a known limit in docs/security.md). */
  drivers: readonly DriverName[] = DRIVERS,
) {
  describe.each(drivers)(`attack: ${name} (%s driver)`, (kind) => {
    let driver: SandboxDriver;
    beforeAll(async () => {
      driver = await openDriver(kind);
      await assertSandboxed(driver);
    });
    afterAll(async () => {
      await driver?.close();
    });
    body({ driver: () => driver, kind });
  });
}

/** Host processes whose command line contains `needle` (a random token the attack used). */
export function hostProcessesWith(needle: string): string[] {
  const ps = spawnSync("ps", ["-eo", "pid,user,args"], { encoding: "utf8" }).stdout;
  return ps.split("\n").filter((l) => l.includes(needle) && !l.includes("ps -eo"));
}
