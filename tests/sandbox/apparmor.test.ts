import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { APPARMOR_PROFILE_NAME, APPARMOR_PROFILE_PATH, detectAppArmor, loadProfile, prepareAppArmor } from "../../runner/sandbox/apparmor";
import { tempDir } from "../support/stack";

/**
 * This machine's kernel has no AppArmor, so the profile cannot be loaded here;
 * what can be tested is that Debian's apparmor_parser compiles it (without
 * loading: --skip-kernel-load), and the runner's decision, from real and
 * stand-in /sys files. That the drivers' configs carry the profile exactly
 * when it was loaded is in container-config.test.ts.
 */
const parser = detectAppArmor().parser;

describe("AppArmor", () => {
  it("the sam-sandbox profile compiles with apparmor_parser", () => {
    expect(parser).not.toBeNull();
    const result = spawnSync(parser!, ["--skip-kernel-load", "--skip-cache", APPARMOR_PROFILE_PATH], { encoding: "utf8" });
    expect(result.stderr.replace(/^Cache read\/write disabled.*\n?/m, "")).toBe("");
    expect(result.status).toBe(0);
    // And the profile is named as the drivers name it.
    const names = execFileSync(parser!, ["--skip-kernel-load", "--skip-cache", "--names", APPARMOR_PROFILE_PATH], { encoding: "utf8" });
    expect(names.trim()).toBe(APPARMOR_PROFILE_NAME);
  });

  it("apparmor_parser refuses a broken profile (so the check above means something)", () => {
    const broken = path.join(tempDir(), "broken");
    fs.writeFileSync(broken, fs.readFileSync(APPARMOR_PROFILE_PATH, "utf8").replace("network inet,", "network inett,"));
    expect(spawnSync(parser!, ["--skip-kernel-load", "--skip-cache", broken]).status).not.toBe(0);
  });

  it("detects this host as having none, and a host whose module says Y as having it", () => {
    expect(detectAppArmor().enabled).toBe(
      fs.existsSync("/sys/module/apparmor/parameters/enabled") && fs.readFileSync("/sys/module/apparmor/parameters/enabled", "utf8").trim() === "Y",
    );
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "enabled"), "Y\n");
    expect(detectAppArmor(path.join(dir, "enabled")).enabled).toBe(true);
    fs.writeFileSync(path.join(dir, "enabled"), "N\n");
    expect(detectAppArmor(path.join(dir, "enabled")).enabled).toBe(false);
    expect(detectAppArmor(path.join(dir, "absent")).enabled).toBe(false);
  });

  it("without AppArmor: no profile, and a log line says so", () => {
    const lines: string[] = [];
    const load = () => {
      throw new Error("must not load");
    };
    expect(prepareAppArmor({ enabled: false, parser }, (m) => lines.push(m), load)).toBeNull();
    expect(lines.join("\n")).toMatch(/no AppArmor/);
  });

  it("with AppArmor: the profile is loaded and named; without apparmor_parser the runner refuses to start", () => {
    const loaded: string[] = [];
    // Compile-only stands in for the kernel load this machine cannot do.
    const load = (p: string) => {
      execFileSync(p, ["--skip-kernel-load", "--skip-cache", APPARMOR_PROFILE_PATH], { stdio: "ignore" });
      loaded.push(p);
    };
    expect(prepareAppArmor({ enabled: true, parser }, () => undefined, load)).toBe(APPARMOR_PROFILE_NAME);
    expect(loaded).toEqual([parser]);
    expect(() => prepareAppArmor({ enabled: true, parser: null }, () => undefined, load)).toThrow(/apparmor_parser is missing: install the apparmor package/);
  });

  it("a profile the kernel does not take stops the start, with apparmor_parser's reason", () => {
    // This kernel has no AppArmor: the real load fails, as it would on a host whose AppArmor refused the profile.
    expect(() => prepareAppArmor({ enabled: true, parser }, () => undefined)).toThrow(/apparmor_parser could not load .*sam-sandbox: ./);
    expect(() => loadProfile(parser!)).toThrow(/could not load/);
  });
});
