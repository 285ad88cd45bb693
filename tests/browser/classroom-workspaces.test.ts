import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { PASSWORD, uniqueIp, webUrl } from "../support/api";
import { useBrowser, watchedPage } from "../support/browser";
import type { TestUser } from "../support/rooms";
import { coursePool, insertGrading, workspaceCourse } from "../support/workspace-course";

const browser = useBrowser();
const pool = coursePool();
afterAll(() => pool.end());

async function signInHere(page: Page, user: TestUser): Promise<void> {
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

const editorText = (page: Page) => page.locator(".monaco-editor .view-lines").first().textContent();

/**
 * The classroom's live help, in a real Chromium: a student opens their
 * workspace (signing in on the way) and lands in their own room with the
 * starter files; they ask for help; the teacher sees it in the class view,
 * clicks into the room, both see each other there, the teacher types and the
 * student sees it; the teacher resolves the request.
 */
describe("a student's workspace and the teacher stepping in", () => {
  it("from the help queue into the student's room, typing beside them", async () => {
    const c = await workspaceCourse(pool);
    const [student] = c.students;
    const studentContext = await browser().newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() }, viewport: { width: 1366, height: 800 } });
    const teacherContext = await browser().newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() }, viewport: { width: 1366, height: 800 } });
    const s = await watchedPage(studentContext);
    const t = await watchedPage(teacherContext);
    try {
      // Signed out: sign in, come back, and the room is made and opened.
      await s.page.goto(`${webUrl()}/assignments/${c.assignmentId}/workspace`);
      await s.page.waitForURL(/\/signin\?callbackUrl=/);
      await signInHere(s.page, student);
      await s.page.waitForURL(/\/rooms\/[0-9a-f-]{36}$/);
      const roomId = new URL(s.page.url()).pathname.split("/").pop()!;
      await expect.poll(() => s.page.getByTestId("connection").textContent(), { timeout: 30_000 }).toContain("Connected");
      await s.page.getByTestId("file-main.py").waitFor({ timeout: 30_000 });
      await s.page.getByTestId("file-main.py").click();
      await expect.poll(() => editorText(s.page), { timeout: 30_000 }).toContain("starter");
      expect(await s.page.getByTestId("my-role").textContent()).toContain("editor");
      // Nobody owns a workspace: nothing to share.
      expect(await s.page.getByTestId("share").count()).toBe(0);

      // The student asks for help from their page (the room page's help button calls the same route).
      const asked = await s.page.evaluate(async (path) => {
        const res = await fetch(path, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ message: "stuck on the loop" }),
        });
        return res.status;
      }, `/api/v1/assignments/${c.assignmentId}/help`);
      expect(asked).toBe(200);

      // The student's latest Test run: the first test passes, the second fails.
      await insertGrading(pool, c, student.id, "test", new Date(), [
        [c.tests.first, "reverses abc", "passed"],
        [c.tests.second, "reverses empty", "wrong_answer"],
      ]);

      await t.page.goto(`${webUrl()}/signin?callbackUrl=${encodeURIComponent(`/assignments/${c.assignmentId}/class`)}`);
      await signInHere(t.page, c.teacher);
      await t.page.waitForURL(/\/class$/);
      const request = t.page.getByTestId("help-request");
      await expect.poll(() => request.textContent(), { timeout: 30_000 }).toContain(student.username);
      expect(await request.textContent()).toContain("stuck on the loop");
      const row = t.page.locator(`[data-testid=class-row][data-username="${student.username}"]`);
      expect(await row.locator("td[data-verdict]").evaluateAll((cells) => cells.map((c) => c.getAttribute("data-verdict")))).toEqual([
        "passed",
        "wrong_answer",
      ]);
      expect(await t.page.getByTestId("most-failed").textContent()).toContain("reverses empty");
      expect(await row.textContent()).toContain("asks for help");

      await request.getByRole("link", { name: "Open room" }).click();
      await t.page.waitForURL(`${webUrl()}/rooms/${roomId}`);
      await expect.poll(() => t.page.getByTestId("connection").textContent(), { timeout: 30_000 }).toContain("Connected");

      // Each sees the other in the room.
      await expect.poll(() => s.page.getByTestId("presence").textContent(), { timeout: 30_000 }).toContain(c.teacher.username);
      await expect.poll(() => t.page.getByTestId("presence").textContent(), { timeout: 30_000 }).toContain(student.username);

      // The teacher types; the student sees it.
      await t.page.getByTestId("file-main.py").click();
      await expect.poll(() => editorText(t.page), { timeout: 30_000 }).toContain("starter");
      await t.page.locator(".monaco-editor .view-lines").first().click();
      await t.page.keyboard.press("Control+Home");
      await t.page.keyboard.type("#TEACHER_HINT\n", { delay: 15 });
      await expect.poll(() => editorText(s.page), { timeout: 30_000 }).toContain("#TEACHER_HINT");

      // Back in the class view, the teacher resolves the request.
      await t.page.goto(`${webUrl()}/assignments/${c.assignmentId}/class`);
      await t.page.getByTestId("help-request").getByRole("button", { name: "Resolve" }).click();
      await expect.poll(() => t.page.getByTestId("help-request").count(), { timeout: 30_000 }).toBe(0);
      const still = await pool.query(`SELECT "helpRequestedAt" FROM "AssignmentWorkspace" WHERE "roomId" = $1`, [roomId]);
      expect(still.rows[0].helpRequestedAt).toBeNull();

      expect(s.problems).toEqual([]);
      expect(t.problems).toEqual([]);
    } finally {
      await studentContext.close();
      await teacherContext.close();
    }
  }, 300_000);

  it("a student who opens the class view is told it is for staff; a teacher opening 'my workspace' goes to the class view", async () => {
    const c = await workspaceCourse(pool);
    const context = await browser().newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
    const { page } = await watchedPage(context);
    try {
      await page.goto(`${webUrl()}/signin?callbackUrl=${encodeURIComponent(`/assignments/${c.assignmentId}/class`)}`);
      await signInHere(page, c.students[1]);
      await page.waitForURL(/\/class$/);
      await expect.poll(() => page.getByTestId("class-refused").textContent(), { timeout: 30_000 }).toContain("teaching assistants");
      expect(await page.getByTestId("class-table").count()).toBe(0);
    } finally {
      await context.close();
    }
    const teacherContext = await browser().newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
    const teacher = await watchedPage(teacherContext);
    try {
      await teacher.page.goto(`${webUrl()}/signin?callbackUrl=${encodeURIComponent(`/assignments/${c.assignmentId}/workspace`)}`);
      await signInHere(teacher.page, c.teacher);
      await teacher.page.waitForURL(/\/class$/);
      await teacher.page.getByTestId("class-table").waitFor({ timeout: 30_000 });
      // Nobody has a room yet: names are not links.
      expect(await teacher.page.getByTestId("class-table").getByRole("link").count()).toBe(0);
    } finally {
      await teacherContext.close();
    }
  }, 300_000);
});
