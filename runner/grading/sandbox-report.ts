import { randomBytes } from "node:crypto";

/**
 * How a checker's feedback file or a test command's results file comes out of
 * a sandbox that never hands files back: the run's own command (trusted text,
 * built here) ends with a report on stdout, after a random per-run marker:
 *
 *     \n<marker>:report:<exit status>\n
 *     <section 1 as base64, or "-" when the file is absent>\n
 *     ...
 *     <marker>:end\n
 *
 * What runs before the report (a checker, a test command and the student's
 * code it starts) can learn the marker: it is in the run's command, which the
 * launcher's environment shows to every process of the sandbox. So the
 * report is only believed if it is the LAST thing on stdout: before printing
 * it, the command kills every other process of the sandbox (kill -KILL -1
 * spares only the shell itself and pid 1), so nothing can write after it, and
 * a forged report printed earlier is just output. The sections are base64, so
 * no byte of a file (a student's output echoed into feedback, a results file
 * with marker-like lines) can end a section or start a new one.
 */
export interface ReportSection {
  /** Path inside the sandbox (relative to /work, or absolute); passed as a shell word, never as shell text. */
  pathVariable: string;
  /** At most this many bytes are read (one more is read to tell that there was more). */
  maxBytes: number;
  /** head: the file's first bytes; tail: its last ones (for logs). */
  from: "head" | "tail";
}

export function newReportMarker(): string {
  return `sam-report-${randomBytes(16).toString("hex")}`;
}

/**
 * Shell text that ends a run with the report. `statusVariable` holds the exit
 * status to report; each section names a shell variable holding the file's
 * path (so no path is ever spliced into shell text).
 */
export function reportScript(marker: string, statusVariable: string, sections: ReportSection[]): string {
  assertMarker(marker);
  const lines = [
    // Nothing the run started may outlive it and write after the report (or change the files while they are read).
    "kill -KILL -1 2>/dev/null",
    `printf '\\n%s:report:%s\\n' '${marker}' "$${shellName(statusVariable)}"`,
  ];
  for (const s of sections) {
    const path = `"$${shellName(s.pathVariable)}"`;
    const read = s.from === "head" ? `head -c ${s.maxBytes + 1} -- ${path}` : `tail -c ${s.maxBytes + 1} -- ${path}`;
    // -f: a FIFO or a device planted in place of the file is "absent", never read (it could block).
    lines.push(`if [ -f ${path} ]; then ${read} 2>/dev/null | base64 -w0; else printf -; fi; printf '\\n'`);
  }
  lines.push(`printf '%s:end\\n' '${marker}'`);
  return lines.join("\n");
}

export interface SandboxReport {
  /** The exit status the script reported. */
  status: number;
  /** Each section's bytes (null: the file was absent) and whether it was longer than its maxBytes. */
  sections: Array<{ bytes: Buffer; truncated: boolean } | null>;
  /** stdout before the report: the exact bytes the run printed itself. */
  before: Buffer;
}

/**
 * Finds the report at the very end of a run's stdout. Undefined when there is
 * none, or when anything follows it (then it was not printed last: not ours).
 */
export function readReport(stdout: Buffer, marker: string, sections: ReportSection[]): SandboxReport | undefined {
  assertMarker(marker);
  // latin1 maps each byte to one character, so indexes are byte offsets.
  const text = stdout.toString("latin1");
  const start = text.lastIndexOf(`\n${marker}:report:`);
  if (start < 0) return undefined;
  const lines = text.slice(start + 1).split("\n");
  // [status line, ...sections, end line, ""] (the end line ends with a newline).
  if (lines.length !== sections.length + 3 || lines[lines.length - 1] !== "" || lines[sections.length + 1] !== `${marker}:end`) return undefined;
  const status = /^:report:(\d{1,3})$/.exec(lines[0]!.slice(marker.length));
  if (!status) return undefined;
  const parsed: SandboxReport["sections"] = [];
  for (const [i, spec] of sections.entries()) {
    const line = lines[i + 1]!;
    if (line === "-") {
      parsed.push(null);
      continue;
    }
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(line)) return undefined;
    const bytes = Buffer.from(line, "base64");
    parsed.push({ bytes: bytes.subarray(0, spec.maxBytes), truncated: bytes.length > spec.maxBytes });
  }
  return { status: Number(status[1]), sections: parsed, before: stdout.subarray(0, start) };
}

/** The stdout a report can take: its lines and every section at its largest, as base64. */
export function reportBytes(marker: string, sections: ReportSection[]): number {
  const base64 = sections.reduce((sum, s) => sum + Math.ceil((s.maxBytes + 1) / 3) * 4 + 1, 0);
  return 2 * marker.length + 32 + base64;
}

/**
 * The reported status says the kernel killed the command (SIGKILL: 137) and
 * the run's memory peak reached its limit: it ran out of memory. The
 * sandbox's own OOM flag does not say so here: the command is a child of the
 * run's first process, which lives on to print the report.
 */
export function killedAtMemoryLimit(status: number, peakKb: number | null, limitMb: number): boolean {
  return status === 137 && peakKb !== null && peakKb >= limitMb * 1024 * 0.9;
}

/** Only markers made by newReportMarker go into shell text. */
function assertMarker(marker: string): void {
  if (!/^sam-report-[0-9a-f]{32}$/.test(marker)) throw new Error(`not a report marker: ${marker}`);
}

function shellName(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a shell variable name: ${name}`);
  return name;
}
