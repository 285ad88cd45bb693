import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * `npm test` after setup: runs the whole vitest suite and ends with one plain
 * summary line ("Tests: N passed, N failed") that CI and people can read.
 * Extra arguments go to vitest (e.g. `npm test -- tests/browser`).
 */
const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sam-vitest-")), "report.json");
const result = spawnSync(
  process.execPath,
  ["node_modules/vitest/vitest.mjs", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: "inherit", cwd: path.resolve(import.meta.dirname, "..") },
);

let summary = "Tests: no report was written (vitest failed to start)";
if (fs.existsSync(report)) {
  const r = JSON.parse(fs.readFileSync(report, "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  summary = `Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`;
}
process.stdout.write(`\n${summary}\n`);
process.exit(result.status ?? 1);
