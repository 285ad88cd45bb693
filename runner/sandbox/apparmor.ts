import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/**
 * The AppArmor profile every run is confined with, where the host has
 * AppArmor: sandbox/apparmor/sam-sandbox, loaded (or replaced) into the kernel
 * at runner start, then named in each OCI bundle and to the container engine.
 * A host without AppArmor (the module absent or disabled) runs without it;
 * seccomp, the namespaces and the masked paths still hold.
 */
export const APPARMOR_PROFILE_NAME = "sam-sandbox";
export const APPARMOR_PROFILE_PATH = path.resolve(import.meta.dirname, "../../sandbox/apparmor", APPARMOR_PROFILE_NAME);
const ENABLED_FILE = "/sys/module/apparmor/parameters/enabled";

export interface AppArmorHost {
  /** The kernel has AppArmor and it is on. */
  enabled: boolean;
  /** apparmor_parser, if installed. */
  parser: string | null;
}

export function detectAppArmor(enabledFile = ENABLED_FILE, searchPath = process.env.PATH ?? ""): AppArmorHost {
  let enabled = false;
  try {
    enabled = fs.readFileSync(enabledFile, "utf8").trim() === "Y";
  } catch {
    // No such file: the kernel has no AppArmor.
  }
  const dirs = [...searchPath.split(":"), "/usr/sbin", "/sbin"].filter(Boolean);
  const parser = dirs.map((d) => path.join(d, "apparmor_parser")).find((p) => fs.existsSync(p)) ?? null;
  return { enabled, parser };
}

/** Loads (or replaces) the profile in the kernel; throws with the parser's message when it fails. */
export function loadProfile(parser: string, file = APPARMOR_PROFILE_PATH): void {
  try {
    execFileSync(parser, ["--replace", file], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`apparmor_parser could not load ${file}: ${stderr || (err as Error).message}`);
  }
}

/**
 * The profile name to confine runs with, or null where the host has no
 * AppArmor (said in the log). A host that has AppArmor but cannot load the
 * profile is refused: runs would otherwise go unconfined without anyone knowing.
 */
export function prepareAppArmor(
  host: AppArmorHost,
  log: (msg: string) => void,
  load: (parser: string) => void = (parser) => loadProfile(parser),
): string | null {
  if (!host.enabled) {
    log("the host has no AppArmor: runs are confined by seccomp, namespaces and masked paths without an AppArmor profile");
    return null;
  }
  if (!host.parser) {
    throw new Error(
      `AppArmor is enabled on this host but apparmor_parser is missing: install the apparmor package (apt-get install apparmor) so the runner can load ${APPARMOR_PROFILE_PATH}`,
    );
  }
  load(host.parser);
  log(`AppArmor profile ${APPARMOR_PROFILE_NAME} loaded: every run is confined by it`);
  return APPARMOR_PROFILE_NAME;
}
