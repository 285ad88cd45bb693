import fs from "node:fs";
import path from "node:path";
import type { SandboxRun } from "./driver";

/**
 * Writes a run's files and stdin into a fresh directory that the container
 * then mounts read-only at /sam/in. The host writes only into a directory it
 * has just created, before the program exists, with exclusive-create flags; the
 * program can never write there, so nothing it plants can mislead the host.
 * Contents and stdin are written as the exact bytes given (text as UTF-8),
 * and a grading's build tar, when the run has one, as build.tar.
 */
export function writeInputDir(dir: string, run: SandboxRun): void {
  fs.mkdirSync(path.join(dir, "files"), { recursive: true, mode: 0o755 });
  fs.chmodSync(dir, 0o755);
  for (const file of run.files) {
    const target = path.join(dir, "files", file.name);
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    fs.writeFileSync(target, file.content, { mode: 0o644, flag: "wx" });
  }
  fs.writeFileSync(path.join(dir, "stdin"), run.stdin, { mode: 0o644, flag: "wx" });
  if (run.build) fs.writeFileSync(path.join(dir, "build.tar"), run.build, { mode: 0o644, flag: "wx" });
}
