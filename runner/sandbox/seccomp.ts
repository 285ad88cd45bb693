import fs from "node:fs";
import path from "node:path";

export const SECCOMP_PROFILE_PATH = path.resolve(import.meta.dirname, "../../sandbox/seccomp.json");

export interface SeccompRule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: Array<{ index: number; value: number; valueTwo?: number; op: string }>;
}

export interface SeccompProfile {
  defaultAction: string;
  /** The errno of the default action (ENOSYS: what a kernel without the call answers). */
  defaultErrnoRet?: number;
  architectures: string[];
  syscalls: SeccompRule[];
}

/**
 * The profile as Docker and the OCI runtime spec both accept it: the comment
 * keys (ours, for readers) dropped, since an OCI runtime need not know them.
 */
export function loadSeccompProfile(file = SECCOMP_PROFILE_PATH): SeccompProfile {
  const raw = JSON.parse(fs.readFileSync(file, "utf8")) as SeccompProfile;
  return {
    defaultAction: raw.defaultAction,
    ...(raw.defaultErrnoRet === undefined ? {} : { defaultErrnoRet: raw.defaultErrnoRet }),
    architectures: raw.architectures,
    syscalls: raw.syscalls.map(({ names, action, errnoRet, args }) => ({
      names,
      action,
      ...(errnoRet === undefined ? {} : { errnoRet }),
      ...(args ? { args } : {}),
    })),
  };
}
