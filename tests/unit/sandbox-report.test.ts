import { describe, expect, it } from "vitest";
import { killedAtMemoryLimit, newReportMarker, readReport, reportBytes, reportScript, type ReportSection } from "../../runner/grading/sandbox-report";

/**
 * Reading the report a checker's or test command's sandbox prints last
 * (runner/grading/sandbox-report.ts), from stdout bytes as a sandbox could
 * send them. The script itself only ever runs inside a sandbox (it kills
 * every process it can: never run it on the host); the integration and
 * attack tests run it there.
 */
const SECTIONS: ReportSection[] = [
  { pathVariable: "message", maxBytes: 8, from: "head" },
  { pathVariable: "log", maxBytes: 4, from: "tail" },
];
const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64");

function report(marker: string, status: number, sections: Array<string | null>): string {
  return `\n${marker}:report:${status}\n${sections.map((s) => (s === null ? "-" : b64(s))).join("\n")}\n${marker}:end\n`;
}

describe("readReport", () => {
  const marker = newReportMarker();

  it("reads the status, each section and what the run printed before the report", () => {
    const out = Buffer.from(`hello\nworld${report(marker, 43, ["wrong", null])}`);
    const r = readReport(out, marker, SECTIONS)!;
    expect(r.status).toBe(43);
    expect(r.sections[0]!.bytes.toString()).toBe("wrong");
    expect(r.sections[0]!.truncated).toBe(false);
    expect(r.sections[1]).toBeNull();
    expect(r.before.toString()).toBe("hello\nworld");
  });

  it("keeps any bytes of a section exactly (NUL, invalid UTF-8, newlines, marker-like text)", () => {
    const bytes = Buffer.from([0, 0xff, 0x0a, 0xc3]);
    const out = Buffer.concat([Buffer.from(`\n${marker}:report:42\n${b64(bytes)}\n\n${marker}:end\n`)]);
    expect(readReport(out, marker, SECTIONS)!.sections[0]!.bytes).toEqual(bytes);
    expect(readReport(out, marker, SECTIONS)!.sections[1]!.bytes.length).toBe(0);
  });

  it("says a section was cut when the script read one byte more than its maximum", () => {
    const out = Buffer.from(report(marker, 42, ["123456789", "12345"]));
    const r = readReport(out, marker, SECTIONS)!;
    expect(r.sections[0]!.bytes.toString()).toBe("12345678");
    expect(r.sections[0]!.truncated).toBe(true);
    expect(r.sections[1]!.truncated).toBe(true);
  });

  it("believes only the last report: a forged one printed earlier is output", () => {
    const forged = report(marker, 42, ["forged", null]);
    const out = Buffer.from(`${forged}then the real one${report(marker, 43, ["real", null])}`);
    const r = readReport(out, marker, SECTIONS)!;
    expect(r.status).toBe(43);
    expect(r.sections[0]!.bytes.toString()).toBe("real");
    expect(r.before.toString()).toBe(`${forged}then the real one`);
  });

  it("refuses a report that anything follows, or that is cut short or malformed", () => {
    const good = report(marker, 42, ["ok", "x"]);
    expect(readReport(Buffer.from(`${good}more`), marker, SECTIONS)).toBeUndefined();
    expect(readReport(Buffer.from(good.slice(0, -5)), marker, SECTIONS)).toBeUndefined();
    expect(readReport(Buffer.from(`\n${marker}:report:42\n${b64("ok")}\n${marker}:end\n`), marker, SECTIONS)).toBeUndefined();
    expect(readReport(Buffer.from(`\n${marker}:report:4x\n-\n-\n${marker}:end\n`), marker, SECTIONS)).toBeUndefined();
    expect(readReport(Buffer.from(`\n${marker}:report:42\nnot base64!\n-\n${marker}:end\n`), marker, SECTIONS)).toBeUndefined();
    expect(readReport(Buffer.from("no report at all"), marker, SECTIONS)).toBeUndefined();
  });

  it("does not take another run's marker", () => {
    const out = Buffer.from(report(newReportMarker(), 42, ["ok", null]));
    expect(readReport(out, marker, SECTIONS)).toBeUndefined();
  });
});

describe("reportScript", () => {
  it("splices only the marker and variable names into shell text, never paths or data", () => {
    const marker = newReportMarker();
    const script = reportScript(marker, "status", SECTIONS);
    expect(script).toContain('"$message"');
    expect(script).toContain('"$log"');
    expect(script.split("\n")[0]).toBe("kill -KILL -1 2>/dev/null");
    expect(() => reportScript("sam-report-$(reboot)", "status", SECTIONS)).toThrow(/not a report marker/);
    expect(() => reportScript(marker, "x; reboot", SECTIONS)).toThrow(/not a shell variable/);
    expect(() => reportScript(marker, "s", [{ pathVariable: "$(id)", maxBytes: 1, from: "head" }])).toThrow(/not a shell variable/);
  });

  it("bounds the stdout a report can take", () => {
    const marker = newReportMarker();
    const biggest = report(marker, 255, ["x".repeat(9), "y".repeat(5)]);
    expect(Buffer.byteLength(biggest)).toBeLessThanOrEqual(reportBytes(marker, SECTIONS));
  });
});

describe("killedAtMemoryLimit", () => {
  it("is a SIGKILL (137) with the memory peak at the limit, nothing else", () => {
    expect(killedAtMemoryLimit(137, 128 * 1024, 128)).toBe(true);
    expect(killedAtMemoryLimit(137, 10 * 1024, 128)).toBe(false);
    expect(killedAtMemoryLimit(137, null, 128)).toBe(false);
    expect(killedAtMemoryLimit(1, 128 * 1024, 128)).toBe(false);
  });
});
