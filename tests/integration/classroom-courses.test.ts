import { afterAll, describe, expect, inject, it } from "vitest";
import { joinWithCode } from "../../lib/classroom/courses/invites";
import { COURSE_LIMITS } from "../../lib/classroom/courses/limits";
import { addMember, importRoster } from "../../lib/classroom/courses/roster";
import { ensureWorkspace } from "../../lib/classroom/workspaces/workspace";
import { createDatabase } from "../../lib/db/client";
import { createRedis } from "../../lib/redis/connection";
import { ROOM_CONTROL_CHANNEL } from "../../lib/rooms/events";
import { api, registerUser, uniqueIp, webUrl } from "../support/api";
import { as, courseWithMembers } from "../support/courses";
import { eventually } from "../support/rooms";
import { signIn } from "../support/sessions";

/**
 * Courses, their people and joining (app/api/v1/courses/**, lib/classroom/courses/):
 * who may call what (401, 404 across courses, 403 by role), the roster rules
 * (the last teacher, students never seeing students), the CSV import, and
 * invite codes from making to revoking, expiring and guessing.
 */
const db = createDatabase(inject("databaseUrl"));
afterAll(async () => {
  await db.$disconnect();
});

const FAKE_ID = "00000000-0000-4000-8000-000000000000";

/** Every course route, for a course, one of its members and one of its invites. */
function everyRoute(courseId: string, userId: string, inviteId: string): Array<[string, string, unknown?]> {
  return [
    ["GET", `/api/v1/courses/${courseId}`],
    ["PATCH", `/api/v1/courses/${courseId}`, { name: "Renamed" }],
    ["DELETE", `/api/v1/courses/${courseId}`],
    ["GET", `/api/v1/courses/${courseId}/members`],
    ["POST", `/api/v1/courses/${courseId}/members`, { username: "someone_x", role: "student" }],
    ["PATCH", `/api/v1/courses/${courseId}/members/${userId}`, { role: "ta" }],
    ["DELETE", `/api/v1/courses/${courseId}/members/${userId}`],
    ["POST", `/api/v1/courses/${courseId}/members/import`, { csv: "username\nsomeone_x\n" }],
    ["GET", `/api/v1/courses/${courseId}/invites`],
    ["POST", `/api/v1/courses/${courseId}/invites`, {}],
    ["DELETE", `/api/v1/courses/${courseId}/invites/${inviteId}`],
  ];
}

describe("who may call what", () => {
  it("anonymous callers get 401 on every route", async () => {
    const c = await courseWithMembers();
    const invite = await as(c.teacher, "POST", `/api/v1/courses/${c.courseId}/invites`, {});
    const routes: Array<[string, string, unknown?]> = [
      ["GET", "/api/v1/courses"],
      ["POST", "/api/v1/courses", { name: "x" }],
      ["POST", "/api/v1/courses/join", { code: invite.json.code }],
      ...everyRoute(c.courseId, c.student.id, invite.json.id),
    ];
    for (const [method, path, body] of routes) {
      const res = await as(undefined, method, path, body);
      expect([method, path, res.status, res.json?.error?.code]).toEqual([method, path, 401, "unauthorized"]);
    }
    // Nothing changed.
    expect((await as(c.teacher, "GET", `/api/v1/courses/${c.courseId}/members`)).json.members).toHaveLength(4);
  });

  it("a member of another course, teacher or student, gets 404 on every route of this one", async () => {
    const [a, b] = await Promise.all([courseWithMembers("Course A"), courseWithMembers("Course B")]);
    const invite = await as(a.teacher, "POST", `/api/v1/courses/${a.courseId}/invites`, {});
    for (const stranger of [b.teacher, b.student, a.outsider]) {
      for (const [method, path, body] of everyRoute(a.courseId, a.student.id, invite.json.id)) {
        const res = await as(stranger, method, path, body);
        expect([method, path, res.status, res.json?.error?.code]).toEqual([method, path, 404, "not_found"]);
      }
    }
    // A course that does not exist, or an id that is no id, looks the same.
    for (const id of [FAKE_ID, "not-an-id"]) expect((await as(a.teacher, "GET", `/api/v1/courses/${id}`)).status).toBe(404);
    // Course A is intact, and B's list shows only B.
    expect((await as(a.teacher, "GET", `/api/v1/courses/${a.courseId}`)).json.name).toBe("Course A");
    expect((await as(b.student, "GET", "/api/v1/courses")).json.courses.map((c: { id: string }) => c.id)).toEqual([b.courseId]);
  });

  it("students and TAs get 403 on the teacher's routes; both may read the course", async () => {
    const c = await courseWithMembers();
    const invite = await as(c.teacher, "POST", `/api/v1/courses/${c.courseId}/invites`, {});
    const manageRoutes = everyRoute(c.courseId, c.student2.id, invite.json.id).filter(
      ([method, path]) => !(method === "GET" && /members$|[0-9a-f]$/.test(path)),
    );
    expect(manageRoutes).toHaveLength(9);
    for (const user of [c.student, c.ta]) {
      for (const [method, path, body] of manageRoutes) {
        const res = await as(user, method, path, body);
        expect([method, path, res.status, res.json?.error?.code]).toEqual([method, path, 403, "forbidden"]);
      }
      expect((await as(user, "GET", `/api/v1/courses/${c.courseId}`)).json).toMatchObject({
        id: c.courseId,
        name: "Test course",
        role: user === c.ta ? "ta" : "student",
      });
    }
    expect((await as(c.teacher, "GET", `/api/v1/courses/${c.courseId}/members`)).json.members).toHaveLength(4);
  });

  it("staff see the whole roster; a student sees the staff and themselves, never another student", async () => {
    const c = await courseWithMembers();
    const names = async (user: typeof c.teacher) =>
      (await as(user, "GET", `/api/v1/courses/${c.courseId}/members`)).json.members.map((m: { username: string; role: string }) => [m.username, m.role]);
    const staff = [
      [c.teacher.username, "teacher"],
      [c.ta.username, "ta"],
    ];
    const students = [
      [c.student.username, "student"],
      [c.student2.username, "student"],
    ].sort((x, y) => x[0]!.localeCompare(y[0]!));
    expect(await names(c.teacher)).toEqual([...staff, ...students]);
    expect(await names(c.ta)).toEqual([...staff, ...students]);
    expect(await names(c.student)).toEqual([...staff, [c.student.username, "student"]]);
    expect(await names(c.student2)).toEqual([...staff, [c.student2.username, "student"]]);
  });
});

describe("courses", () => {
  it("any account creates a course and teaches it; the teacher renames and deletes it", async () => {
    const [teacher, other] = await Promise.all([registerUser(), registerUser()]);
    const created = await as(teacher, "POST", "/api/v1/courses", { name: "  Algorithms  " });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: "Algorithms", role: "teacher" });
    expect(created.headers.get("location")).toBe(`/api/v1/courses/${created.json.id}`);
    const id = created.json.id as string;
    await as(other, "POST", "/api/v1/courses", { name: "Zoology" });
    expect((await as(teacher, "GET", "/api/v1/courses")).json.courses).toEqual([expect.objectContaining({ id, name: "Algorithms", role: "teacher" })]);

    expect((await as(teacher, "PATCH", `/api/v1/courses/${id}`, { name: "Algorithms II" })).json).toMatchObject({ id, name: "Algorithms II", role: "teacher" });
    expect((await as(teacher, "DELETE", `/api/v1/courses/${id}`)).status).toBe(204);
    expect((await as(teacher, "GET", `/api/v1/courses/${id}`)).status).toBe(404);
    expect((await as(teacher, "GET", "/api/v1/courses")).json.courses).toEqual([]);
  });

  it("deleting a course deletes its assignments and the students' workspace rooms too", async () => {
    const c = await courseWithMembers();
    const assignment = await db.assignment.create({
      data: { courseId: c.courseId, title: "Loops", language: "python", dueAt: new Date(Date.now() + 86_400_000) },
    });
    const { roomId } = await ensureWorkspace(db, assignment, c.student.id);
    expect(await db.room.count({ where: { id: roomId } })).toBe(1);
    expect((await as(c.teacher, "DELETE", `/api/v1/courses/${c.courseId}`)).status).toBe(204);
    expect(await db.room.count({ where: { id: roomId } })).toBe(0);
    expect(await db.assignment.count({ where: { id: assignment.id } })).toBe(0);
    expect(await db.courseMember.count({ where: { courseId: c.courseId } })).toBe(0);
    expect((await as(c.student, "GET", `/api/v1/rooms/${roomId}`)).status).toBe(404);
  });

  it("refuses bad names and bodies with a 4xx that names the field", async () => {
    const teacher = await registerUser();
    const bad: Array<[unknown, number, string]> = [
      [{ name: "" }, 400, "invalid_request"],
      [{ name: "   " }, 400, "invalid_request"],
      [{ name: "x".repeat(121) }, 400, "invalid_request"],
      [{ name: "evil\u202Ename" }, 400, "invalid_request"],
      [{ name: "a\u0000b" }, 400, "invalid_request"],
      [{ name: 5 }, 400, "invalid_request"],
      [{ name: "ok", extra: 1 }, 400, "invalid_request"],
      [{}, 400, "invalid_request"],
    ];
    for (const [body, status, code] of bad) {
      const res = await as(teacher, "POST", "/api/v1/courses", body);
      expect([body, res.status, res.json.error.code]).toEqual([body, status, code]);
      expect(res.json.error.message).toMatch(/name|extra|body/);
    }
    expect(
      (await api("POST", "/api/v1/courses", { token: teacher.token, rawBody: "{", headers: { "content-type": "application/json" } })).json.error.code,
    ).toBe("malformed_json");
    expect((await api("POST", "/api/v1/courses", { token: teacher.token, rawBody: "name=x", headers: { "content-type": "text/plain" } })).status).toBe(415);
    expect((await as(teacher, "GET", "/api/v1/courses")).json.courses).toEqual([]);
  });

  it(`an account teaches at most ${COURSE_LIMITS.coursesTaughtPerAccount} courses (409 too_many_courses); joining others is not capped by it`, async () => {
    const teacher = await registerUser();
    for (let i = 0; i < COURSE_LIMITS.coursesTaughtPerAccount; i++) expect((await as(teacher, "POST", "/api/v1/courses", { name: `C${i}` })).status).toBe(201);
    const over = await as(teacher, "POST", "/api/v1/courses", { name: "One too many" });
    expect([over.status, over.json.error.code]).toEqual([409, "too_many_courses"]);
    const elsewhere = await courseWithMembers();
    const invite = await as(elsewhere.teacher, "POST", `/api/v1/courses/${elsewhere.courseId}/invites`, {});
    expect((await as(teacher, "POST", "/api/v1/courses/join", { code: invite.json.code })).json).toMatchObject({ joined: true, role: "student" });
  });
});

describe("the roster", () => {
  it("a teacher adds by username, changes roles and removes; clear 4xx for the wrong person or role", async () => {
    const c = await courseWithMembers();
    const newcomer = await registerUser();
    const base = `/api/v1/courses/${c.courseId}/members`;
    const added = await as(c.teacher, "POST", base, { username: newcomer.username.toUpperCase() });
    expect(added.status).toBe(201);
    expect(added.json).toMatchObject({ userId: newcomer.id, username: newcomer.username, role: "student" });
    const again = await as(c.teacher, "POST", base, { username: newcomer.username, role: "ta" });
    expect([again.status, again.json.error.code]).toEqual([409, "course_already_member"]);
    expect((await as(c.teacher, "POST", base, { username: "nobody_at_all", role: "ta" })).json.error.code).toBe("user_not_found");
    expect((await as(c.teacher, "POST", base, { username: newcomer.username, role: "admin" })).json.error).toMatchObject({
      code: "invalid_request",
      message: expect.stringContaining("role"),
    });
    expect((await as(c.teacher, "POST", base, { username: "a b" })).json.error.code).toBe("invalid_request");

    expect((await as(c.teacher, "PATCH", `${base}/${newcomer.id}`, { role: "ta" })).json).toMatchObject({ userId: newcomer.id, role: "ta" });
    expect((await as(newcomer, "GET", `/api/v1/courses/${c.courseId}`)).json.role).toBe("ta");
    expect((await as(c.teacher, "PATCH", `${base}/${newcomer.id}`, { role: "owner" })).status).toBe(400);
    for (const id of [c.outsider.id, FAKE_ID, "not-an-id"]) {
      expect((await as(c.teacher, "PATCH", `${base}/${id}`, { role: "ta" })).json.error.code).toBe("course_member_not_found");
      expect((await as(c.teacher, "DELETE", `${base}/${id}`)).json.error.code).toBe("course_member_not_found");
    }
    expect((await as(c.teacher, "DELETE", `${base}/${newcomer.id}`)).status).toBe(204);
    expect((await as(newcomer, "GET", `/api/v1/courses/${c.courseId}`)).status).toBe(404);
  });

  it("a member leaves (DELETE members/me or their own id) but a student cannot remove another", async () => {
    const c = await courseWithMembers();
    const base = `/api/v1/courses/${c.courseId}/members`;
    expect((await as(c.student, "DELETE", `${base}/${c.student2.id}`)).status).toBe(403);
    expect((await as(c.student, "DELETE", `${base}/me`)).status).toBe(204);
    expect((await as(c.student, "GET", `/api/v1/courses/${c.courseId}`)).status).toBe(404);
    expect((await as(c.ta, "DELETE", `${base}/${c.ta.id}`)).status).toBe(204);
    expect((await as(c.teacher, "GET", base)).json.members.map((m: { userId: string }) => m.userId)).toEqual([c.teacher.id, c.student2.id]);
  });

  it("a course always keeps a teacher: the last one cannot be demoted, removed or leave", async () => {
    const c = await courseWithMembers();
    const base = `/api/v1/courses/${c.courseId}/members`;
    for (const [method, path, body] of [
      ["PATCH", `${base}/${c.teacher.id}`, { role: "ta" }],
      ["PATCH", `${base}/${c.teacher.id}`, { role: "student" }],
      ["DELETE", `${base}/${c.teacher.id}`],
      ["DELETE", `${base}/me`],
    ] as Array<[string, string, unknown?]>) {
      const res = await as(c.teacher, method, path, body);
      expect([method, path, res.status, res.json.error.code]).toEqual([method, path, 409, "last_teacher"]);
      expect(res.json.error.message).toContain("make someone else a teacher first");
    }
    // Keeping the role is no demotion.
    expect((await as(c.teacher, "PATCH", `${base}/${c.teacher.id}`, { role: "teacher" })).status).toBe(200);
    // With a second teacher, the first may step down, and then the second is the last one.
    expect((await as(c.teacher, "PATCH", `${base}/${c.ta.id}`, { role: "teacher" })).json.role).toBe("teacher");
    expect((await as(c.teacher, "PATCH", `${base}/${c.teacher.id}`, { role: "ta" })).json.role).toBe("ta");
    expect((await as(c.ta, "DELETE", `${base}/me`)).json.error.code).toBe("last_teacher");
    expect((await as(c.ta, "DELETE", `${base}/${c.teacher.id}`)).status).toBe(204);
    // Parallel demotions of the last two teachers: one wins, the course keeps a teacher.
    const third = await registerUser();
    await as(c.ta, "POST", base, { username: third.username, role: "teacher" });
    const both = await Promise.all([
      as(c.ta, "PATCH", `${base}/${c.ta.id}`, { role: "student" }),
      as(third, "PATCH", `${base}/${third.id}`, { role: "student" }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const teachers = (await db.courseMember.findMany({ where: { courseId: c.courseId, role: "teacher" } })).length;
    expect(teachers).toBe(1);
  });

  it("a role change or removal closes the member's sockets in the workspace rooms they reached through the course", async () => {
    const c = await courseWithMembers();
    const assignment = await db.assignment.create({
      data: { courseId: c.courseId, title: "Sockets", language: "python", dueAt: new Date(Date.now() + 86_400_000) },
    });
    const [mine, theirs] = await Promise.all([ensureWorkspace(db, assignment, c.student.id), ensureWorkspace(db, assignment, c.student2.id)]);
    const subscriber = createRedis(inject("redisUrl"));
    const heard: Array<{ roomId: string; kind: string; userId?: string }> = [];
    // Other test files share the channel: keep only this course's rooms.
    subscriber.on("message", (_channel, text) => {
      const message = JSON.parse(text);
      if ([mine.roomId, theirs.roomId].includes(message.roomId)) heard.push(message);
    });
    await subscriber.subscribe(ROOM_CONTROL_CHANNEL);
    try {
      const base = `/api/v1/courses/${c.courseId}/members`;
      // A student: only their own workspace.
      await as(c.teacher, "PATCH", `${base}/${c.student.id}`, { role: "ta" });
      await eventually("the student's room hears of it", () => heard.length >= 1);
      // Staff: every workspace of the course.
      await as(c.teacher, "DELETE", `${base}/${c.ta.id}`);
      await eventually("both rooms hear of the TA", () => heard.length >= 3);
      expect(heard.slice(0, 1)).toEqual([{ roomId: mine.roomId, kind: "members", userId: c.student.id }]);
      expect(heard.slice(1).sort((x, y) => x.roomId.localeCompare(y.roomId))).toEqual(
        [mine.roomId, theirs.roomId].sort().map((roomId) => ({ roomId, kind: "members", userId: c.ta.id })),
      );
    } finally {
      subscriber.disconnect();
    }
  });

  it(`a course holds at most ${COURSE_LIMITS.membersPerCourse} members (409 course_full), by name, by CSV and by code`, async () => {
    const c = await courseWithMembers();
    const [late, later] = await Promise.all([registerUser(), registerUser()]);
    const full = { status: 409, code: "course_full" };
    await expect(addMember(db, c.courseId, late.username, "student", 4)).rejects.toMatchObject(full);
    expect(await importRoster(db, c.courseId, [{ line: 1, username: late.username, role: "student" }], 4)).toMatchObject({
      ok: false,
      problems: [{ line: null, problem: expect.stringContaining("at most 4") }],
    });
    const invite = await as(c.teacher, "POST", `/api/v1/courses/${c.courseId}/invites`, {});
    await expect(joinWithCode(db, invite.json.code, later.id, 4)).rejects.toMatchObject(full);
    // Someone already in still "joins" a full course (nothing to add).
    expect(await joinWithCode(db, invite.json.code, c.student.id, 4)).toEqual({ courseId: c.courseId, role: "student", joined: false });
    expect(await db.courseMember.count({ where: { courseId: c.courseId } })).toBe(4);
  });
});

describe("roster CSV import", () => {
  const upload = (user: { token: string }, courseId: string, csv: string, type = "text/csv") =>
    api("POST", `/api/v1/courses/${courseId}/members/import`, { token: user.token, rawBody: csv, headers: { "content-type": type } });

  it("adds everyone in a good file (as text/csv or JSON); a second upload changes nobody's role", async () => {
    const c = await courseWithMembers();
    const [a, b, d] = await Promise.all([registerUser(), registerUser(), registerUser()]);
    const csv = `username,role\r\n${a.username},\r\n"${b.username}",TA\r\n${c.student.username},teacher\r\n`;
    const res = await upload(c.teacher, c.courseId, csv);
    expect(res.status).toBe(200);
    expect(res.json.added.map((m: { username: string; role: string }) => [m.username, m.role])).toEqual([
      [a.username, "student"],
      [b.username, "ta"],
    ]);
    expect(res.json.unchanged).toEqual([expect.objectContaining({ userId: c.student.id, role: "student" })]);
    const again = await upload(c.teacher, c.courseId, csv);
    expect([again.json.added, again.json.unchanged.length]).toEqual([[], 3]);
    const json = await as(c.teacher, "POST", `/api/v1/courses/${c.courseId}/members/import`, { csv: d.username });
    expect(json.json.added).toEqual([expect.objectContaining({ userId: d.id, role: "student" })]);
    expect((await as(b, "GET", `/api/v1/courses/${c.courseId}`)).json.role).toBe("ta");
    expect((await as(c.teacher, "GET", `/api/v1/courses/${c.courseId}/members`)).json.members).toHaveLength(7);
  });

  it("refuses a file with any bad line, naming each line and problem, and imports nothing", async () => {
    const c = await courseWithMembers();
    const [a, b] = await Promise.all([registerUser(), registerUser()]);
    const res = await upload(c.teacher, c.courseId, `${a.username},student\nno_such_user_q\n${b.username},boss\n${a.username}\n`);
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("roster_invalid");
    expect(res.json.error.problems).toEqual([
      { line: 3, problem: expect.stringContaining("none of teacher, ta, student") },
      { line: 4, problem: expect.stringContaining("already on line 1") },
    ]);
    expect(res.json.error.message).toMatch(/^Nothing was imported.*line 3: .*line 4: /);
    // Lines that parse but name nobody are reported next.
    const unknown = await upload(c.teacher, c.courseId, `${a.username}\nno_such_user_q\n`);
    expect(unknown.json.error.problems).toEqual([{ line: 2, problem: expect.stringContaining('no user is named "no_such_user_q"') }]);
    expect((await as(a, "GET", `/api/v1/courses/${c.courseId}`)).status).toBe(404);
    expect((await as(c.teacher, "GET", `/api/v1/courses/${c.courseId}/members`)).json.members).toHaveLength(4);
  });

  it("bounds the upload: type, size and encoding", async () => {
    const c = await courseWithMembers();
    expect((await upload(c.teacher, c.courseId, "x", "application/x-www-form-urlencoded")).json.error.code).toBe("unsupported_media_type");
    expect((await upload(c.teacher, c.courseId, "a".repeat(COURSE_LIMITS.csvBytes + 1))).json.error.code).toBe("payload_too_large");
    const latin1 = await fetch(`${webUrl()}/api/v1/courses/${c.courseId}/members/import`, {
      method: "POST",
      headers: { authorization: `Bearer ${c.teacher.token}`, "content-type": "text/csv", "x-forwarded-for": uniqueIp() },
      body: Buffer.from([0x6a, 0xf6, 0x72, 0x67, 0x0a]),
    });
    expect([latin1.status, (await latin1.json()).error.code]).toEqual([400, "invalid_request"]);
    expect((await upload(c.teacher, c.courseId, "")).json.error.code).toBe("roster_invalid");
    expect((await as(c.teacher, "POST", `/api/v1/courses/${c.courseId}/members/import`, { csv: 3 })).json.error.code).toBe("invalid_request");
    const longJson = await as(c.teacher, "POST", `/api/v1/courses/${c.courseId}/members/import`, { csv: "a".repeat(COURSE_LIMITS.csvBytes + 1) });
    expect([longJson.status, longJson.json.error.code, longJson.json.error.message]).toEqual([
      400,
      "invalid_request",
      expect.stringContaining("at most 256 KiB"),
    ]);
  });
});

describe("invite codes", () => {
  it("a teacher makes, lists and revokes codes; students join with them, once; the code's form is forgiving", async () => {
    const c = await courseWithMembers();
    const [joiner, second] = await Promise.all([registerUser(), registerUser()]);
    const base = `/api/v1/courses/${c.courseId}/invites`;
    const forever = await as(c.teacher, "POST", base, {});
    expect(forever.status).toBe(201);
    expect(forever.json).toMatchObject({ code: expect.stringMatching(/^[A-HJKMNP-Z2-9]{10}$/), expiresAt: null });
    expect(forever.json.url).toMatch(new RegExp(`/courses/join/${forever.json.code}$`));
    const weekly = await as(c.teacher, "POST", base, { expiresInDays: 7 });
    const days = (new Date(weekly.json.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    expect((await as(c.teacher, "GET", base)).json.invites.map((i: { id: string }) => i.id)).toEqual([weekly.json.id, forever.json.id]);

    const typed = `${forever.json.code.slice(0, 5).toLowerCase()}-${forever.json.code.slice(5)} `;
    expect((await as(joiner, "POST", "/api/v1/courses/join", { code: typed })).json).toEqual({ courseId: c.courseId, role: "student", joined: true });
    expect((await as(joiner, "POST", "/api/v1/courses/join", { code: forever.json.code })).json).toEqual({
      courseId: c.courseId,
      role: "student",
      joined: false,
    });
    // Existing members keep their role.
    for (const [user, role] of [
      [c.teacher, "teacher"],
      [c.ta, "ta"],
    ] as const) {
      expect((await as(user, "POST", "/api/v1/courses/join", { code: weekly.json.code })).json).toEqual({ courseId: c.courseId, role, joined: false });
    }
    expect((await as(joiner, "GET", `/api/v1/courses/${c.courseId}`)).json.role).toBe("student");

    expect((await as(c.teacher, "DELETE", `${base}/${forever.json.id}`)).status).toBe(204);
    const revoked = await as(second, "POST", "/api/v1/courses/join", { code: forever.json.code });
    expect([revoked.status, revoked.json.error.code]).toEqual([404, "course_code_invalid"]);
    expect(revoked.json.error.message).toContain("revoked");
    for (const id of [forever.json.id, FAKE_ID, "nope"])
      expect((await as(c.teacher, "DELETE", `${base}/${id}`)).json.error.code).toBe("course_invite_not_found");
    expect((await as(c.teacher, "GET", base)).json.invites.map((i: { id: string }) => i.id)).toEqual([weekly.json.id]);
    // Members who joined stay when their code goes.
    expect((await as(joiner, "GET", `/api/v1/courses/${c.courseId}`)).status).toBe(200);
  });

  it("expired and unknown codes are refused with 404 course_code_invalid saying which; bad bodies with 400", async () => {
    const c = await courseWithMembers();
    const joiner = await registerUser();
    const invite = await as(c.teacher, "POST", `/api/v1/courses/${c.courseId}/invites`, { expiresInDays: 1 });
    await db.courseInvite.update({ where: { id: invite.json.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await as(joiner, "POST", "/api/v1/courses/join", { code: invite.json.code });
    expect([expired.status, expired.json.error.code]).toEqual([404, "course_code_invalid"]);
    expect(expired.json.error.message).toContain("expired");
    expect((await as(c.teacher, "GET", `/api/v1/courses/${c.courseId}/invites`)).json.invites).toEqual([]);
    const unknown = await as(joiner, "POST", "/api/v1/courses/join", { code: "ZZZZZZZZZZ" });
    expect([unknown.status, unknown.json.error.code, unknown.json.error.message]).toEqual([
      404,
      "course_code_invalid",
      expect.stringContaining("No course has"),
    ]);
    expect((await as(joiner, "GET", "/api/v1/courses")).json.courses).toEqual([]);

    for (const body of [{}, { code: "" }, { code: "ABC" }, { code: 12 }, { code: "x".repeat(65) }]) {
      expect((await as(joiner, "POST", "/api/v1/courses/join", body)).json.error.code).toBe("invalid_request");
    }
    for (const body of [{ expiresInDays: 0 }, { expiresInDays: 366 }, { expiresInDays: 1.5 }, { expiresInDays: "7" }, { role: "ta" }]) {
      expect((await as(c.teacher, "POST", `/api/v1/courses/${c.courseId}/invites`, body)).json.error.code).toBe("invalid_request");
    }
  });

  it(`a course has at most ${COURSE_LIMITS.activeInvitesPerCourse} working codes (409 too_many_course_invites); revoking frees a place`, async () => {
    const c = await courseWithMembers();
    const base = `/api/v1/courses/${c.courseId}/invites`;
    const made: string[] = [];
    for (let i = 0; i < COURSE_LIMITS.activeInvitesPerCourse; i++) made.push((await as(c.teacher, "POST", base, {})).json.id);
    expect(new Set(made).size).toBe(COURSE_LIMITS.activeInvitesPerCourse);
    const over = await as(c.teacher, "POST", base, {});
    expect([over.status, over.json.error.code]).toEqual([409, "too_many_course_invites"]);
    await as(c.teacher, "DELETE", `${base}/${made[0]}`);
    expect((await as(c.teacher, "POST", base, {})).status).toBe(201);
  });

  it("guessing is rate-limited per account (then even a right code waits) and per address; other accounts are not held up", async () => {
    const c = await courseWithMembers();
    const invite = await as(c.teacher, "POST", `/api/v1/courses/${c.courseId}/invites`, {});
    const guesser = await registerUser();
    for (let i = 0; i < COURSE_LIMITS.joinFailuresPerAccount; i++) {
      expect((await as(guesser, "POST", "/api/v1/courses/join", { code: `ZZZZZZZZ${"23456789"[i % 8]}${"ABCDEFGHJK"[i]}` })).status).toBe(404);
    }
    const stopped = await as(guesser, "POST", "/api/v1/courses/join", { code: invite.json.code });
    expect([stopped.status, stopped.json.error.code]).toEqual([429, "rate_limited"]);
    expect(Number(stopped.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await as(guesser, "GET", `/api/v1/courses/${c.courseId}`)).status).toBe(404);
    // Right codes never count: a student may open the link as often as they like.
    for (let i = 0; i < COURSE_LIMITS.joinFailuresPerAccount + 2; i++) {
      expect((await as(c.student, "POST", "/api/v1/courses/join", { code: invite.json.code })).status).toBe(200);
    }
    // Many fresh accounts from one address.
    const ip = uniqueIp();
    const accounts = await Promise.all(Array.from({ length: 4 }, () => registerUser()));
    const statuses: number[] = [];
    for (let i = 0; i < COURSE_LIMITS.joinFailuresPerAddress + 1; i++) {
      const res = await api("POST", "/api/v1/courses/join", { token: accounts[i % 4]!.token, ip, body: { code: "ZZZZZZZZZZ" } });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, COURSE_LIMITS.joinFailuresPerAddress).every((s) => s === 404)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe("the course page", () => {
  it("shows students only opened assignments, staff all with their links; outsiders get 404", async () => {
    const c = await courseWithMembers();
    const day = 86_400_000;
    const make = (title: string, opensAt: Date | null) =>
      db.assignment.create({ data: { courseId: c.courseId, title, language: "python", opensAt, dueAt: new Date(Date.now() + 7 * day) } });
    const [open, always, later] = await Promise.all([
      make("Opened yesterday", new Date(Date.now() - day)),
      make("Always open", null),
      make("Opens tomorrow", new Date(Date.now() + day)),
    ]);
    const page = async (user: typeof c.teacher) => {
      const res = await fetch(`${webUrl()}/courses/${c.courseId}`, {
        headers: { cookie: await signIn(user.username, user.password), "x-forwarded-for": uniqueIp() },
      });
      return { status: res.status, html: await res.text() };
    };
    const student = await page(c.student);
    expect(student.status).toBe(200);
    expect(student.html).toContain(`/assignments/${open.id}`);
    expect(student.html).toContain(`/assignments/${always.id}`);
    expect(student.html).not.toContain(later.id);
    expect(student.html).not.toContain("Opens tomorrow");
    expect(student.html).not.toContain(c.student2.username);
    expect(student.html).not.toContain(`/courses/${c.courseId}/gradebook`);
    expect(student.html).not.toContain("Invite codes");

    const teacher = await page(c.teacher);
    for (const text of [
      `/assignments/${later.id}`,
      `/courses/${c.courseId}/assignments/new`,
      `/courses/${c.courseId}/gradebook`,
      "Invite codes",
      c.student2.username,
    ]) {
      expect(teacher.html).toContain(text);
    }
    const ta = await page(c.ta);
    expect(ta.html).toContain(`/courses/${c.courseId}/gradebook`);
    expect(ta.html).not.toContain(`/courses/${c.courseId}/assignments/new`);
    expect(ta.html).not.toContain("Invite codes");
    expect((await page(c.outsider)).status).toBe(404);
  });
});
