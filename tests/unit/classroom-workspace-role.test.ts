import { describe, expect, it } from "vitest";
import { visibleNow } from "../../lib/classroom/workspaces/class-view";
import { starterFilesOf, workspaceRoleOf } from "../../lib/classroom/workspaces/workspace";

/** The rule of who may use a student's workspace room, cell by cell (the database side: tests/integration/classroom-workspaces.test.ts). */
describe("workspaceRoleOf", () => {
  const now = new Date("2026-11-27T12:00:00Z");
  const open = { ownerId: "student", opensAt: null };
  const notYet = { ownerId: "student", opensAt: new Date("2026-11-28T00:00:00Z") };

  it("lets the student edit their own room while a student of the course", () => {
    expect(workspaceRoleOf(open, "student", "student", now)).toBe("editor");
    expect(workspaceRoleOf({ ...open, opensAt: new Date("2026-11-01T00:00:00Z") }, "student", "student", now)).toBe("editor");
  });

  it("lets teachers and TAs of the course edit every student's room", () => {
    expect(workspaceRoleOf(open, "teacher", "teacher", now)).toBe("editor");
    expect(workspaceRoleOf(open, "ta", "ta", now)).toBe("editor");
    expect(workspaceRoleOf(notYet, "ta", "ta", now)).toBe("editor");
  });

  it("keeps a student promoted to TA in their own room", () => {
    expect(workspaceRoleOf(open, "student", "ta", now)).toBe("editor");
  });

  it("refuses another student, a TA demoted to student, a non-member and the owner once gone from the course", () => {
    expect(workspaceRoleOf(open, "other", "student", now)).toBeUndefined();
    expect(workspaceRoleOf(open, "former-ta", "student", now)).toBeUndefined();
    expect(workspaceRoleOf(open, "stranger", undefined, now)).toBeUndefined();
    expect(workspaceRoleOf(open, "student", undefined, now)).toBeUndefined();
  });

  it("refuses the student before the assignment opens", () => {
    expect(workspaceRoleOf(notYet, "student", "student", now)).toBeUndefined();
  });

  it("never makes anyone owner", () => {
    for (const role of ["student", "ta", "teacher"] as const) expect(workspaceRoleOf(open, "student", role, now)).not.toBe("owner");
  });
});

describe("starterFilesOf", () => {
  it("keeps text files with valid paths and drops anything else", () => {
    expect(
      starterFilesOf([
        { name: "main.py", content: "x = 1\n", extra: true },
        { name: "../escape.py", content: "" },
        { name: "/abs.py", content: "" },
        { name: "bin.py", content: 42 },
        null,
        "main.py",
      ]),
    ).toEqual([{ name: "main.py", content: "x = 1\n" }]);
    expect(starterFilesOf({ name: "main.py" })).toEqual([]);
    expect(starterFilesOf(null)).toEqual([]);
  });
});

describe("visibleNow", () => {
  const due = new Date("2026-11-27T12:00:00Z");
  it("shows visible tests always, after_due ones from the due date, hidden ones never", () => {
    expect(visibleNow("visible", due, new Date("2026-11-27T11:00:00Z"))).toBe(true);
    expect(visibleNow("after_due", due, new Date("2026-11-27T11:59:59Z"))).toBe(false);
    expect(visibleNow("after_due", due, due)).toBe(true);
    expect(visibleNow("hidden", due, new Date("2027-01-01T00:00:00Z"))).toBe(false);
  });
});
