import { describe, expect, it } from "vitest";
import { CODE_ALPHABET, CODE_LENGTH, isWellFormedCode, newInviteCode, normalizeCode } from "../../lib/classroom/courses/codes";
import { COURSE_LIMITS } from "../../lib/classroom/courses/limits";
import { describeProblems, MAX_PROBLEMS_LISTED, parseRosterCsv } from "../../lib/classroom/courses/roster-csv";

/** Roster CSV uploads (lib/classroom/courses/roster-csv.ts) and invite codes (codes.ts): pure, no services. */
const rows = (text: string) => {
  const parsed = parseRosterCsv(text);
  if (!parsed.ok) throw new Error(describeProblems(parsed.problems));
  return parsed.rows.map((r) => [r.line, r.username, r.role]);
};
const problems = (text: string) => {
  const parsed = parseRosterCsv(text);
  if (parsed.ok) throw new Error("expected problems");
  return parsed.problems;
};

describe("roster CSV", () => {
  it("takes a header row, in any column order, ignoring extra columns; role defaults to student and ignores case", () => {
    expect(rows("Name,Role,username\nAda L,TA,ada\nBob B,,bob_2\n")).toEqual([
      [2, "ada", "ta"],
      [3, "bob_2", "student"],
    ]);
  });

  it("takes a file without a header: username, then an optional role; leaves out blank lines; handles a BOM, CRLF and quotes", () => {
    expect(rows('\uFEFFada,teacher\r\n\r\n"bob",student\r\ncyd\r\n')).toEqual([
      [1, "ada", "teacher"],
      [3, "bob", "student"],
      [4, "cyd", "student"],
    ]);
  });

  it("names the line and the problem of every bad row", () => {
    const found = problems("username,role\nada,student\nno way,student\nbob,admin\n,ta\nADA,ta\n");
    expect(found).toEqual([
      { line: 3, problem: expect.stringContaining('"no way" is not a username') },
      { line: 4, problem: expect.stringContaining('the role "admin" is none of teacher, ta, student') },
      { line: 5, problem: "the username is empty." },
      { line: 6, problem: expect.stringContaining("already on line 2") },
    ]);
    expect(describeProblems(found)).toMatch(/^line 3: .*; line 4: .*; line 5: .*; line 6: /);
  });

  it("refuses extra columns without a header, broken quoting, an empty file and a header alone", () => {
    expect(problems("ada,student,extra\n")[0]).toMatchObject({ line: 1, problem: expect.stringContaining("3 columns") });
    expect(problems('ada,student\n"bob,ta\n')[0]).toMatchObject({ line: 2, problem: expect.stringContaining("not valid CSV") });
    expect(problems("\n \n")[0]).toMatchObject({ line: null, problem: expect.stringContaining("no rows") });
    expect(problems("username,role\n")[0]).toMatchObject({ line: null, problem: expect.stringContaining("no usernames") });
    expect(problems("username,username\nada,bob\n")[0]).toMatchObject({ line: 1, problem: expect.stringContaining("twice") });
  });

  it("bounds the file: rows, bytes and the number of problems listed", () => {
    const many = Array.from({ length: COURSE_LIMITS.csvRows + 1 }, (_, i) => `user_${i}`).join("\n");
    expect(problems(many)[0]!.problem).toContain(`at most ${COURSE_LIMITS.csvRows}`);
    expect(rows(Array.from({ length: COURSE_LIMITS.csvRows }, (_, i) => `user_${i}`).join("\n"))).toHaveLength(COURSE_LIMITS.csvRows);
    expect(problems("a".repeat(COURSE_LIMITS.csvBytes + 1))[0]!.problem).toContain("larger than");
    const bad = Array.from({ length: 200 }, () => "?").join("\n");
    expect(problems(bad)).toHaveLength(MAX_PROBLEMS_LISTED);
  });
});

describe("invite codes", () => {
  it("are 10 characters of an alphabet without look-alikes, and differ", () => {
    const codes = new Set(Array.from({ length: 200 }, newInviteCode));
    expect(codes.size).toBe(200);
    for (const code of codes) {
      expect(code).toHaveLength(CODE_LENGTH);
      expect(isWellFormedCode(code)).toBe(true);
    }
    for (const lookalike of ["0", "O", "1", "I", "L"]) expect(CODE_ALPHABET).not.toContain(lookalike);
  });

  it("forgive case, spaces and dashes when typed; anything else is not a code", () => {
    expect(normalizeCode(" abcd-efgh 23 ")).toBe("ABCDEFGH23");
    expect(isWellFormedCode("ABCDEFGH23")).toBe(true);
    expect(isWellFormedCode("ABCDEFGH2O")).toBe(false);
    expect(isWellFormedCode("ABCDEFGH2")).toBe(false);
  });
});
