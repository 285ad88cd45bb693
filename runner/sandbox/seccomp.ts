import fs from "node:fs";
import path from "node:path";

export const SECCOMP_PROFILE_PATH = path.resolve(import.meta.dirname, "../../sandbox/seccomp.json");

export interface SeccompProfile {
  defaultAction: string;
  architectures: string[];
  syscalls: Array<{ names: string[]; action: string; errnoRet?: number; args?: Array<Record<string, unknown>> }>;
}

/** The profile as Docker and the OCI runtime spec both accept it (the comment key dropped). */
export function loadSeccompProfile(file = SECCOMP_PROFILE_PATH): SeccompProfile {
  const { defaultAction, architectures, syscalls } = JSON.parse(fs.readFileSync(file, "utf8")) as SeccompProfile;
  return { defaultAction, architectures, syscalls };
}
