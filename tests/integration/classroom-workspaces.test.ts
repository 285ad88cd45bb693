import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import type * as Y from "yjs";
import { announceCourseMemberChange } from "../../lib/classroom/workspaces/announce";
import { deleteWorkspaceRooms } from "../../lib/classroom/workspaces/workspace";
import { createDatabase } from "../../lib/db/client";
import { courseEventsKey } from "../../lib/classroom/events";
import { CLOSE } from "../../lib/rooms/close-codes";
import { api, registerUser, webUrl } from "../support/api";
import { connectRoom, eventually, roomToken, type TestUser } from "../support/rooms";
import { startService, type Backing, type RunningService } from "../support/stack";
import { coursePool, insertGrading, STARTER, workspaceCourse, type WorkspaceCourse } from "../support/workspace-course";

/**
 * Students' private workspaces, teachers stepping in, the help queue and the
 * class view, against the real web app, collab, PostgreSQL and Redis. Two
 * courses, each with a teacher, a TA and two students: every route is tried
 * by each kind of caller, and by the other course's people.
 */
const pool = coursePool();
const redis = new Redis(inject("redisUrl"));
let a: WorkspaceCourse;
let b: WorkspaceCourse;
let outsider: TestUser;

beforeAll(async () => {
  [a, b, outsider] = await Promise.all([workspaceCourse(pool), workspaceCourse(pool), registerUser()]);
});
afterAll(async () => {
  await pool.end();
  redis.disconnect();
});

const openWorkspace = (c: WorkspaceCourse, user: TestUser) => api("POST", `/api/v1/assignments/${c.assignmentId}/workspace`, { token: user.token, body: {} });

async function workspaceOf(c: WorkspaceCourse, user: TestUser): Promise<string> {
  const res = await openWorkspace(c, user);
  expect([200, 201]).toContain(res.status);
  return res.json.roomId as string;
}

const filesIn = (doc: Y.Doc) =>
  Object.fromEntries([...doc.getMap<Y.Map<unknown>>("files").values()].map((f) => [f.get("path") as string, (f.get("text") as Y.Text).toString()]));

describe("POST /api/v1/assignments/:id/workspace", () => {
  it("makes the student's room from the starter files once, and gives the same room after", async () => {
    const c = await workspaceCourse(pool);
    const [first, again] = await Promise.all([openWorkspace(c, c.students[0]), openWorkspace(c, c.students[0])]);
    // Two first opens at once make one room.
    expect(first.json.roomId).toBe(again.json.roomId);
    expect([first.status, again.status].sort()).toEqual([200, 201]);
    expect([first.json.created, again.json.created].sort()).toEqual([false, true]);
    const third = await openWorkspace(c, c.students[0]);
    expect(third.status).toBe(200);
    expect(third.json).toEqual({ roomId: first.json.roomId, created: false });

    const client = connectRoom(first.json.roomId, () => roomToken(first.json.roomId, c.students[0]));
    try {
      await client.synced;
      expect(filesIn(client.doc)).toEqual(Object.fromEntries(STARTER.map((f) => [f.name, f.content])));
    } finally {
      client.destroy();
    }
    // Each student has their own.
    const other = await openWorkspace(c, c.students[1]);
    expect(other.status).toBe(201);
    expect(other.json.roomId).not.toBe(first.json.roomId);
  });

  it("refuses staff (403, pointing at the class view), other courses and strangers (404), and the signed out (401)", async () => {
    for (const staff of [a.teacher, a.ta]) {
      const res = await openWorkspace(a, staff);
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe("forbidden");
      expect(res.json.error.message).toContain(`/assignments/${a.assignmentId}/class`);
    }
    for (const stranger of [b.students[0], b.teacher, outsider]) expect((await openWorkspace(a, stranger)).status).toBe(404);
    expect((await api("POST", `/api/v1/assignments/${a.assignmentId}/workspace`, { body: {} })).status).toBe(401);
    expect((await api("POST", "/api/v1/assignments/not-a-uuid/workspace", { token: a.students[0].token, body: {} })).status).toBe(404);
  });

  it("gives a student no room before the assignment opens, and takes the room away if it is moved later", async () => {
    const c = await workspaceCourse(pool, { opensAt: new Date(Date.now() + 3600_000) });
    expect((await openWorkspace(c, c.students[0])).status).toBe(404);
    await pool.query(`UPDATE "Assignment" SET "opensAt" = NULL WHERE id = $1`, [c.assignmentId]);
    const roomId = await workspaceOf(c, c.students[0]);
    await pool.query(`UPDATE "Assignment" SET "opensAt" = now() + interval '1 hour' WHERE id = $1`, [c.assignmentId]);
    expect((await api("GET", `/api/v1/rooms/${roomId}`, { token: c.students[0].token })).status).toBe(404);
    // Staff still reach it.
    expect((await api("GET", `/api/v1/rooms/${roomId}`, { token: c.teacher.token })).status).toBe(200);
  });
});

describe("who may use a workspace room", () => {
  let roomId: string;
  beforeAll(async () => {
    roomId = await workspaceOf(a, a.students[0]);
  });

  it("the student and the course's staff edit it; another student, the other course and strangers get 404", async () => {
    for (const user of [a.students[0], a.teacher, a.ta]) {
      const room = await api("GET", `/api/v1/rooms/${roomId}`, { token: user.token });
      expect(room.status).toBe(200);
      expect(room.json.role).toBe("editor");
      // Nobody owns it, so it has no members to list.
      expect(room.json.members).toEqual([]);
      expect((await api("POST", `/api/v1/rooms/${roomId}/token`, { token: user.token, body: {} })).json.role).toBe("editor");
    }
    for (const user of [a.students[1], b.students[0], b.teacher, b.ta, outsider]) {
      expect((await api("GET", `/api/v1/rooms/${roomId}`, { token: user.token })).status).toBe(404);
      expect((await api("POST", `/api/v1/rooms/${roomId}/token`, { token: user.token, body: {} })).status).toBe(404);
      expect((await api("POST", `/api/v1/rooms/${roomId}/runs`, { token: user.token, body: {} })).status).toBe(404);
      expect((await api("GET", `/api/v1/rooms/${roomId}/runs`, { token: user.token })).status).toBe(404);
    }
  });

  it("is in nobody's room list", async () => {
    for (const user of [a.students[0], a.teacher]) {
      const rooms = await api("GET", "/api/v1/rooms", { token: user.token });
      expect(rooms.status).toBe(200);
      expect(rooms.json.rooms.map((r: { id: string }) => r.id)).not.toContain(roomId);
    }
  });

  it("gives nobody manage rights: no share links, invitations, rename or delete", async () => {
    for (const user of [a.students[0], a.teacher, a.ta]) {
      const calls = [
        api("POST", `/api/v1/rooms/${roomId}/share-links`, { token: user.token, body: { role: "editor" } }),
        api("GET", `/api/v1/rooms/${roomId}/share-links`, { token: user.token }),
        api("POST", `/api/v1/rooms/${roomId}/members`, { token: user.token, body: { username: a.students[1].username, role: "editor" } }),
        api("GET", `/api/v1/rooms/${roomId}/invitations`, { token: user.token }),
        api("PATCH", `/api/v1/rooms/${roomId}`, { token: user.token, body: { name: "mine now" } }),
        api("DELETE", `/api/v1/rooms/${roomId}`, { token: user.token }),
      ];
      for (const res of await Promise.all(calls)) {
        expect(res.status).toBe(403);
        expect(res.json.error.code).toBe("forbidden");
      }
    }
    expect((await api("GET", `/api/v1/rooms/${roomId}`, { token: a.students[0].token })).json.name).toBe("Reverse a line");
  });

  it("a teacher's run in the student's room is seen by the student", async () => {
    const run = await api("POST", `/api/v1/rooms/${roomId}/runs`, { token: a.teacher.token, body: { stdin: "abc\n" } });
    expect(run.status).toBe(202);
    const runs = await api("GET", `/api/v1/rooms/${roomId}/runs`, { token: a.students[0].token });
    expect(runs.json.runs.map((r: { id: string }) => r.id)).toContain(run.json.id);
    expect((await api("GET", `/api/v1/executions/${run.json.id}`, { token: a.students[0].token })).status).toBe(200);
    // Another student of the course cannot watch it.
    expect((await api("GET", `/api/v1/executions/${run.json.id}`, { token: a.students[1].token })).status).toBe(404);
  });

  it("follows course roles: a TA demoted to student loses other students' rooms; a student made TA keeps their own", async () => {
    const c = await workspaceCourse(pool);
    const studentRoom = await workspaceOf(c, c.students[0]);
    const promotedRoom = await workspaceOf(c, c.students[1]);
    await pool.query(`UPDATE "CourseMember" SET role = 'student' WHERE "courseId" = $1 AND "userId" = $2`, [c.courseId, c.ta.id]);
    await pool.query(`UPDATE "CourseMember" SET role = 'ta' WHERE "courseId" = $1 AND "userId" = $2`, [c.courseId, c.students[1].id]);
    expect((await api("GET", `/api/v1/rooms/${studentRoom}`, { token: c.ta.token })).status).toBe(404);
    expect((await api("GET", `/api/v1/rooms/${promotedRoom}`, { token: c.students[1].token })).json.role).toBe("editor");
    // Removed from the course: nothing.
    await pool.query(`DELETE FROM "CourseMember" WHERE "courseId" = $1 AND "userId" = $2`, [c.courseId, c.students[0].id]);
    expect((await api("GET", `/api/v1/rooms/${studentRoom}`, { token: c.students[0].token })).status).toBe(404);
  });
});

describe("the room socket of a workspace", () => {
  let collab: RunningService;
  let slowCollab: RunningService;
  beforeAll(async () => {
    const backing: Backing = { dataDir: inject("dataDir"), databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl"), stop: async () => undefined };
    // One re-checks roles every half second; the other so rarely that only an announcement can close a socket in time.
    [collab, slowCollab] = await Promise.all([
      startService("collab/main.ts", backing, { SAM_COLLAB_ROLE_RECHECK_MS: "500" }),
      startService("collab/main.ts", backing, { SAM_COLLAB_ROLE_RECHECK_MS: "3600000" }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([collab?.stop(), slowCollab?.stop()]);
  });

  it("keeps the student and a teacher connected through role re-checks, typing beside each other", async () => {
    const c = await workspaceCourse(pool);
    const roomId = await workspaceOf(c, c.students[0]);
    const student = connectRoom(roomId, () => roomToken(roomId, c.students[0]), { collabUrl: collab.url });
    const teacher = connectRoom(roomId, () => roomToken(roomId, c.teacher), { collabUrl: collab.url });
    try {
      await Promise.all([student.synced, teacher.synced]);
      // Several re-checks pass (every 500 ms): a workspace has no RoomMember rows, and that must not count as "removed".
      await new Promise((r) => setTimeout(r, 3000));
      const mainOf = (doc: Y.Doc) => [...doc.getMap<Y.Map<unknown>>("files").values()].find((f) => f.get("path") === "main.py")!.get("text") as Y.Text;
      mainOf(teacher.doc).insert(0, "# hint from the teacher\n");
      await eventually("the student to see the teacher's edit", () => mainOf(student.doc).toString().startsWith("# hint from the teacher"));
      expect(student.closeEvents).toEqual([]);
      expect(teacher.closeEvents).toEqual([]);
    } finally {
      student.destroy();
      teacher.destroy();
    }
  });

  it("refuses another student's token for the room, and a token for a room of the other course", async () => {
    const roomA = await workspaceOf(a, a.students[0]);
    const roomB = await workspaceOf(b, b.students[0]);
    // The token route refuses them (above); a token the web app signed for one room does not open another.
    const wrongRoom = connectRoom(roomB, () => roomToken(roomA, a.students[0]), { collabUrl: collab.url });
    try {
      await eventually("the socket to refuse the token", () => wrongRoom.authFailures.length > 0);
      expect(wrongRoom.provider.isSynced).toBe(false);
    } finally {
      wrongRoom.destroy();
    }
  });

  it("closes the sockets of a student who left the course and a teacher who was removed from it", async () => {
    const c = await workspaceCourse(pool);
    const roomId = await workspaceOf(c, c.students[0]);
    const student = connectRoom(roomId, () => roomToken(roomId, c.students[0]).catch(() => "gone"), { collabUrl: collab.url });
    const teacher = connectRoom(roomId, () => roomToken(roomId, c.teacher).catch(() => "gone"), { collabUrl: collab.url });
    const ta = connectRoom(roomId, () => roomToken(roomId, c.ta), { collabUrl: collab.url });
    try {
      await Promise.all([student.synced, teacher.synced, ta.synced]);
      await pool.query(`DELETE FROM "CourseMember" WHERE "courseId" = $1 AND "userId" = ANY($2)`, [c.courseId, [c.students[0].id, c.teacher.id]]);
      for (const [who, client] of [
        ["student", student],
        ["teacher", teacher],
      ] as const) {
        await eventually(`the ${who}'s socket to close`, () => client.closeEvents.some((e) => e.code === CLOSE.roleChanged.code), 20_000);
        await eventually(`the ${who} to stay out`, () => client.authFailures.length > 0, 20_000);
      }
      expect(ta.closeEvents).toEqual([]);
    } finally {
      for (const client of [student, teacher, ta]) client.destroy();
    }
  });

  it("closes them at once when the course change is announced", async () => {
    const c = await workspaceCourse(pool);
    const roomId = await workspaceOf(c, c.students[0]);
    const teacher = connectRoom(roomId, () => roomToken(roomId, c.teacher).catch(() => "gone"), { collabUrl: slowCollab.url });
    const student = connectRoom(roomId, () => roomToken(roomId, c.students[0]), { collabUrl: slowCollab.url });
    try {
      await Promise.all([teacher.synced, student.synced]);
      await pool.query(`DELETE FROM "CourseMember" WHERE "courseId" = $1 AND "userId" = $2`, [c.courseId, c.teacher.id]);
      await announceCourseMemberChange(redis, c.courseId, c.teacher.id);
      await eventually("the removed teacher's socket to close", () => teacher.closeEvents.some((e) => e.code === CLOSE.roleChanged.code), 20_000);
      expect(student.closeEvents).toEqual([]);
    } finally {
      teacher.destroy();
      student.destroy();
    }
  });
});

describe("the room event stream of a workspace", () => {
  it("ends with `removed` when the student leaves the course", async () => {
    const c = await workspaceCourse(pool);
    const roomId = await workspaceOf(c, c.students[0]);
    const controller = new AbortController();
    const res = await fetch(`${webUrl()}/api/v1/rooms/${roomId}/events`, {
      headers: { authorization: `Bearer ${c.students[0].token}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    await pool.query(`DELETE FROM "CourseMember" WHERE "courseId" = $1 AND "userId" = $2`, [c.courseId, c.students[0].id]);
    let text = "";
    const decoder = new TextDecoder();
    const reader = res.body!.getReader();
    try {
      while (!text.includes("event: removed")) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } finally {
      controller.abort();
    }
    expect(text).toContain("event: removed");
  });
});

describe("help requests", () => {
  const ask = (c: WorkspaceCourse, user: TestUser, body: unknown = {}) =>
    api("POST", `/api/v1/assignments/${c.assignmentId}/help`, { token: user.token, body });
  const withdraw = (c: WorkspaceCourse, user: TestUser, userId?: string) =>
    api("DELETE", `/api/v1/assignments/${c.assignmentId}/help${userId ? `?userId=${userId}` : ""}`, { token: user.token });
  const queue = async (c: WorkspaceCourse, user: TestUser) => {
    const res = await api("GET", `/api/v1/assignments/${c.assignmentId}/class`, { token: user.token });
    expect(res.status).toBe(200);
    return res.json.helpQueue as Array<{ userId: string; roomId: string; requestedAt: string; message: string | null }>;
  };
  const helpEvents = async (c: WorkspaceCourse) =>
    ((await redis.xrange(courseEventsKey(c.courseId), "-", "+")) as Array<[string, string[]]>)
      .map(([, fields]) => ({ type: fields[1], data: JSON.parse(fields[3]!) }))
      .filter((e) => e.type === "help");

  it("a student asks (even before opening the room), asks again keeping their place, withdraws; staff resolve", async () => {
    const c = await workspaceCourse(pool);
    const [s1, s2] = c.students;
    const first = await ask(c, s1, { message: "my loop never ends" });
    expect(first.status).toBe(200);
    expect(first.json.message).toBe("my loop never ends");
    // The room was made so the teacher has somewhere to go.
    expect(first.json.roomId).toBe(await workspaceOf(c, s1));
    await new Promise((r) => setTimeout(r, 20));
    expect((await ask(c, s2)).status).toBe(200);
    const again = await ask(c, s1, { message: "still stuck" });
    expect(again.json.requestedAt).toBe(first.json.requestedAt);

    for (const staff of [c.teacher, c.ta]) {
      const q = await queue(c, staff);
      expect(q.map((h) => [h.userId, h.message])).toEqual([
        [s1.id, "still stuck"],
        [s2.id, null],
      ]);
      expect(q[0]!.roomId).toBe(first.json.roomId);
    }

    expect((await withdraw(c, s1)).status).toBe(204);
    expect((await queue(c, c.teacher)).map((h) => h.userId)).toEqual([s2.id]);
    // Withdrawing what is not open changes nothing and is no error.
    expect((await withdraw(c, s1)).status).toBe(204);

    expect((await withdraw(c, c.ta, s2.id)).status).toBe(204);
    expect(await queue(c, c.teacher)).toEqual([]);

    const events = await helpEvents(c);
    expect(events.map((e) => [e.data.userId, e.data.requestedAt === null])).toEqual([
      [s1.id, false],
      [s2.id, false],
      [s1.id, false],
      [s1.id, true],
      [s2.id, true],
    ]);
    expect(events.every((e) => e.data.assignmentId === c.assignmentId)).toBe(true);
  });

  it("checks roles: staff cannot ask, students cannot resolve others', other courses see nothing", async () => {
    const [s1, s2] = a.students;
    expect((await ask(a, s1)).status).toBe(200);
    for (const staff of [a.teacher, a.ta]) expect((await ask(a, staff)).status).toBe(403);
    expect((await withdraw(a, s2, s1.id)).status).toBe(403);
    // A student's DELETE without userId only ever touches their own request.
    expect((await withdraw(a, s2)).status).toBe(204);
    expect((await queue(a, a.teacher)).map((h) => h.userId)).toContain(s1.id);
    const missing = await withdraw(a, a.teacher);
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toContain("userId");
    for (const stranger of [b.students[0], b.teacher, outsider]) {
      expect((await ask(a, stranger)).status).toBe(404);
      expect((await withdraw(a, stranger, s1.id)).status).toBe(404);
    }
    // Course B's teacher resolving a student of A through B's assignment changes nothing in A.
    expect((await withdraw(b, b.teacher, s1.id)).status).toBe(204);
    expect((await queue(a, a.teacher)).map((h) => h.userId)).toContain(s1.id);
    expect((await api("POST", `/api/v1/assignments/${a.assignmentId}/help`, { body: {} })).status).toBe(401);
  });

  it("refuses bad messages with 400 and says what to fix", async () => {
    for (const body of [{ message: "x".repeat(501) }, { message: "line\nbreak" }, { message: 42 }, { note: "hi" }]) {
      const res = await ask(a, a.students[1], body);
      expect(res.status).toBe(400);
      expect(res.json.error.code).toBe("invalid_request");
    }
    const raw = await api("POST", `/api/v1/assignments/${a.assignmentId}/help`, { token: a.students[1].token, rawBody: "{nope" });
    expect(raw.status).toBe(400);
  });
});

describe("GET /api/v1/assignments/:id/workspaces and /class", () => {
  it("are for the course's staff only", async () => {
    for (const path of ["workspaces", "class"]) {
      for (const staff of [a.teacher, a.ta])
        expect((await api("GET", `/api/v1/assignments/${a.assignmentId}/${path}`, { token: staff.token })).status).toBe(200);
      const student = await api("GET", `/api/v1/assignments/${a.assignmentId}/${path}`, { token: a.students[0].token });
      expect(student.status).toBe(403);
      for (const stranger of [b.teacher, b.ta, b.students[0], outsider]) {
        expect((await api("GET", `/api/v1/assignments/${a.assignmentId}/${path}`, { token: stranger.token })).status).toBe(404);
      }
      expect((await api("GET", `/api/v1/assignments/${a.assignmentId}/${path}`)).status).toBe(401);
    }
  });

  it("list every student with their room once opened (null before), and no staff", async () => {
    const c = await workspaceCourse(pool);
    const roomId = await workspaceOf(c, c.students[0]);
    const res = await api("GET", `/api/v1/assignments/${c.assignmentId}/workspaces`, { token: c.ta.token });
    const byUser = Object.fromEntries(res.json.workspaces.map((w: { userId: string }) => [w.userId, w]));
    expect(Object.keys(byUser).sort()).toEqual([c.students[0].id, c.students[1].id].sort());
    expect(byUser[c.students[0].id]).toMatchObject({ username: c.students[0].username, roomId, help: null });
    expect(byUser[c.students[0].id].lastActivityAt).toEqual(expect.any(String));
    expect(byUser[c.students[1].id]).toMatchObject({ roomId: null, help: null, lastActivityAt: null });
  });

  it("the class view: visible tests as columns, each student's latest finished test or submission grading, the test failing most", async () => {
    const c = await workspaceCourse(pool);
    const [s1, s2] = c.students;
    const t = c.tests;
    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
    // s1: an old grading passing everything, then a newer Test run failing the second test; a newer unfinished one and a re-grade do not count.
    await insertGrading(pool, c, s1.id, "submission", minutesAgo(30), [
      [t.first, "reverses abc", "passed"],
      [t.second, "reverses empty", "passed"],
      [t.hidden, "secret", "passed"],
    ]);
    const latest = await insertGrading(pool, c, s1.id, "test", minutesAgo(10), [
      [t.first, "reverses abc", "passed"],
      [t.second, "reverses empty", "wrong_answer"],
    ]);
    await insertGrading(pool, c, s1.id, "test", null, []);
    await insertGrading(pool, c, s1.id, "regrade", minutesAgo(1), [[t.second, "reverses empty", "passed"]]);
    // s2: a submission failing both visible tests; a result whose test was re-made matches by name.
    await insertGrading(pool, c, s2.id, "submission", minutesAgo(5), [
      [null, "reverses abc", "runtime_error"],
      [t.second, "reverses empty", "time_limit"],
      [t.hidden, "secret", "wrong_answer"],
    ]);

    const res = await api("GET", `/api/v1/assignments/${c.assignmentId}/class`, { token: c.teacher.token });
    expect(res.status).toBe(200);
    expect(res.json.assignment).toMatchObject({ id: c.assignmentId, courseId: c.courseId });
    expect(res.json.tests.map((x: { id: string }) => x.id)).toEqual([t.first, t.second]);
    const byUser = Object.fromEntries(res.json.students.map((s: { userId: string }) => [s.userId, s]));
    expect(byUser[s1.id].grading).toMatchObject({ id: latest, kind: "test" });
    expect(byUser[s1.id].verdicts).toEqual({ [t.first]: "passed", [t.second]: "wrong_answer" });
    expect(byUser[s1.id].passed).toBe(1);
    expect(byUser[s2.id].verdicts).toEqual({ [t.first]: "runtime_error", [t.second]: "time_limit" });
    expect(byUser[s2.id].passed).toBe(0);
    expect(res.json.mostFailed).toEqual({ testId: t.second, name: "reverses empty", failing: 2, graded: 2 });

    // Once the due date passes, an after_due test becomes a column too.
    await pool.query(`UPDATE "AssignmentTest" SET visibility = 'after_due' WHERE id = $1`, [t.hidden]);
    expect((await api("GET", `/api/v1/assignments/${c.assignmentId}/class`, { token: c.teacher.token })).json.tests).toHaveLength(2);
    await pool.query(`UPDATE "Assignment" SET "dueAt" = now() - interval '1 minute' WHERE id = $1`, [c.assignmentId]);
    const after = await api("GET", `/api/v1/assignments/${c.assignmentId}/class`, { token: c.teacher.token });
    expect(after.json.tests.map((x: { id: string }) => x.id)).toEqual([t.first, t.second, t.hidden]);
    expect(after.json.students.find((s: { userId: string }) => s.userId === s2.id).verdicts[t.hidden]).toBe("wrong_answer");
  });
});

describe("deleteWorkspaceRooms (for the routes that delete an assignment or a course)", () => {
  it("deletes the workspace rooms of one assignment, or of a whole course, and nothing else", async () => {
    const db = createDatabase(inject("databaseUrl"));
    try {
      const [c, other] = await Promise.all([workspaceCourse(pool), workspaceCourse(pool)]);
      const rooms = [await workspaceOf(c, c.students[0]), await workspaceOf(c, c.students[1])];
      const kept = await workspaceOf(other, other.students[0]);
      expect((await deleteWorkspaceRooms(db, { assignmentId: c.assignmentId })).sort()).toEqual([...rooms].sort());
      const left = await pool.query(`SELECT id FROM "Room" WHERE id = ANY($1)`, [[...rooms, kept]]);
      expect(left.rows.map((r) => r.id)).toEqual([kept]);
      expect(await deleteWorkspaceRooms(db, { courseId: other.courseId })).toEqual([kept]);
      expect((await api("GET", `/api/v1/rooms/${kept}`, { token: other.teacher.token })).status).toBe(404);
    } finally {
      await db.$disconnect();
    }
  });
});

describe("deleting an assignment or a course", () => {
  /** A queued grading run of the student, as queueGrading records it (no job: nothing takes it meanwhile). */
  async function queuedGradingRun(c: WorkspaceCourse, userId: string): Promise<string> {
    const execution = await pool.query<{ id: string }>(
      `INSERT INTO "Execution" (id, "userId", language, version, limits) VALUES (gen_random_uuid(), $1, 'python', '3', '{}') RETURNING id`,
      [userId],
    );
    const executionId = execution.rows[0]!.id;
    await pool.query(`INSERT INTO "Grading" (id, "executionId", "assignmentId", "userId", kind) VALUES (gen_random_uuid(), $1, $2, $3, 'submission')`, [
      executionId,
      c.assignmentId,
      userId,
    ]);
    return executionId;
  }
  const exists = async (executionId: string) => (await pool.query(`SELECT 1 FROM "Execution" WHERE id = $1`, [executionId])).rowCount === 1;

  it("takes its gradings' runs along, so none runs later as a plain run of the student's files", async () => {
    const [c, other] = await Promise.all([workspaceCourse(pool), workspaceCourse(pool)]);
    const [gone, kept] = [await queuedGradingRun(c, c.students[0].id), await queuedGradingRun(other, other.students[0].id)];
    expect((await api("DELETE", `/api/v1/assignments/${c.assignmentId}`, { token: c.teacher.token })).status).toBe(204);
    expect(await exists(gone)).toBe(false);
    expect(await exists(kept)).toBe(true);
    expect((await api("DELETE", `/api/v1/courses/${other.courseId}`, { token: other.teacher.token })).status).toBe(204);
    expect(await exists(kept)).toBe(false);
  });
});
