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
  const r = JSON.parse(fs.readFileSync(report, "utf8")) as VitestReport;
  const skipped = r.numPendingTests + r.numTodoTests;
  summary = `Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ""}`;
  summary += failures(r);
}
process.stdout.write(`\n${summary}\n`);
// CI prints this again after the linter (see .ci/run).
if (process.env.SAM_TEST_SUMMARY) fs.writeFileSync(process.env.SAM_TEST_SUMMARY, `${summary}\n`);
process.exit(result.status ?? 1);

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: Array<{
    name: string;
    status: string;
    message?: string;
    assertionResults: Array<{ fullName: string; status: string; failureMessages: string[] }>;
  }>;
}

/** Each failed test (or file that failed outside its tests) with the first lines of why: enough to start from. */
function failures(r: VitestReport): string {
  const lines: string[] = [];
  const root = path.resolve(import.meta.dirname, "..");
  for (const file of r.testResults) {
    const name = path.relative(root, file.name);
    const failed = file.assertionResults.filter((a) => a.status === "failed");
    if (file.status === "failed" && failed.length === 0) lines.push(`FAIL ${name}: ${firstLines(file.message ?? "")}`);
    for (const a of failed) lines.push(`FAIL ${name} > ${a.fullName}: ${firstLines(a.failureMessages[0] ?? "")}`);
  }
  return lines.length ? `\n${lines.join("\n")}` : "";
}

function firstLines(text: string): string {
  return text.split("\n").slice(0, 3).join(" | ").slice(0, 400);
}
