import fs from "node:fs";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { registerUser, uniqueIp, webUrl } from "../support/api";
import { useBrowser, watchedPage } from "../support/browser";
import { waitForPython } from "../support/classroom-assignments";
import type { TestUser } from "../support/rooms";
import { ROOT } from "../support/stack";

/**
 * The "Done when" journey, end to end through the real UI, the real
 * collab service and the real runner (nothing inserted by hand, no routes
 * faked): a teacher creates a course, a python assignment with a visible and
 * a hidden io test, and an invite code; a student joins with the link, opens
 * the workspace, writes a solution in Monaco that passes the visible test and
 * fails the hidden one, tests (the visible test only), submits and sees the
 * score; the teacher, whose gradebook was open before, sees the score arrive
 * without a reload, opens the submission, then steps into the student's room
 * from the class view, and each sees the other there.
 */
const browser = useBrowser();

/** The grader shares two cores with the rest of the suite: a grading may wait its turn for minutes. */
const GRADED = { timeout: 240_000, intervals: [500, 1000, 2000] };
const SOON = { timeout: 60_000 };

/** The hidden test's input and expected output: never on a student's page, nor in any answer their browser gets. */
const HIDDEN_INPUT = "hidden-input-q7w3z";
const HIDDEN_EXPECTED = "hidden-expected-k9x2v";

interface Person {
  context: BrowserContext;
  page: Page;
  problems: string[];
  /** The bodies of every answer the page received (documents and API calls; not event streams). */
  bodies: string[];
}

async function open(): Promise<Person> {
  const context = await browser().newContext({ viewport: { width: 1366, height: 900 }, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  const { page, problems } = await watchedPage(context);
  page.on("dialog", (dialog) => void dialog.accept());
  const bodies: string[] = [];
  page.on("response", (res) => {
    const type = res.headers()["content-type"] ?? "";
    if (type.includes("event-stream") || !/json|html|text\/x-component|text\/plain/.test(type)) return;
    res.text().then(
      (t) => bodies.push(t),
      () => {},
    );
  });
  return { context, page, problems, bodies };
}

async function signInHere(page: Page, user: TestUser): Promise<void> {
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

const editorText = (page: Page) => page.locator(".monaco-editor .view-lines").first().textContent();
/** Monaco shows spaces as non-breaking ones. */
const plain = (s: string | null) => (s ?? "").replace(/\u00a0/g, " ");

/** Nothing of the hidden test but its name, verdict and points reached the student's browser. */
async function expectNoHiddenText(student: Person): Promise<void> {
  const html = await student.page.content();
  expect(html).not.toContain(HIDDEN_EXPECTED);
  expect(html).not.toContain(HIDDEN_INPUT);
  for (const body of student.bodies) {
    expect(body).not.toContain(HIDDEN_EXPECTED);
    expect(body).not.toContain(HIDDEN_INPUT);
  }
}

const shot = async (page: Page, name: string) => {
  fs.mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
  await page.screenshot({ path: path.join(ROOT, "test-results", name), fullPage: true });
};

describe("a classroom assignment, from the teacher's first click to the student's graded submission", () => {
  it("course, assignment with a visible and a hidden test, invite; the student joins, writes, tests, submits; the teacher watches and steps in", async () => {
    const [teacherUser, studentUser] = await Promise.all([registerUser(), registerUser()]);
    // The language list of the editor comes from the runners: wait for one to offer python.
    await waitForPython(teacherUser.token);
    const teacher = await open();
    const student = await open();
    try {
      // --- The teacher: a course.
      await teacher.page.goto(`${webUrl()}/signin`);
      await signInHere(teacher.page, teacherUser);
      await teacher.page.waitForURL(`${webUrl()}/`);
      await teacher.page.getByTestId("courses-link").click();
      await teacher.page.waitForURL(`${webUrl()}/courses`);
      await teacher.page.getByTestId("new-course-name").fill("Journey course");
      await teacher.page.getByTestId("create-course").click();
      await teacher.page.waitForURL(/\/courses\/[0-9a-f-]{36}$/);
      const courseUrl = teacher.page.url();
      const courseId = new URL(courseUrl).pathname.split("/").pop()!;

      // --- An assignment in python with a starter file, one visible and one hidden io test.
      await teacher.page.getByTestId("new-assignment").click();
      await teacher.page.waitForURL(`${webUrl()}/courses/${courseId}/assignments/new`);
      await teacher.page.getByTestId("assignment-title").fill("Reverse abc");
      await teacher.page.getByTestId("assignment-statement").fill("# Reverse\nRead a line and print it **reversed**.");
      await teacher.page.getByTestId("assignment-language").selectOption("python");
      await teacher.page.getByRole("button", { name: "Add a starter file" }).click();
      await teacher.page.getByLabel("Starter file 1 name").fill("main.py");
      await teacher.page.getByLabel("Starter file 1 content").fill("# write your solution here\n");
      const tests = [
        { name: "reverses abc", visibility: "visible", points: "2", stdin: "abc\n", expected: "cba\n" },
        { name: "reverses a secret", visibility: "hidden", points: "3", stdin: `${HIDDEN_INPUT}\n`, expected: `${HIDDEN_EXPECTED}\n` },
      ];
      for (const [i, t] of tests.entries()) {
        await teacher.page.getByTestId("add-test").click();
        await teacher.page.getByTestId(`test-${i}-name`).fill(t.name);
        await teacher.page.getByTestId(`test-${i}-visibility`).selectOption(t.visibility);
        await teacher.page.getByTestId(`test-${i}-points`).fill(t.points);
        await teacher.page.getByTestId(`test-${i}-stdin`).fill(t.stdin);
        await teacher.page.getByTestId(`test-${i}-expected`).fill(t.expected);
      }
      await teacher.page.getByTestId("save-assignment").click();
      await teacher.page.waitForURL(/\/assignments\/[0-9a-f-]{36}$/);
      const assignmentId = new URL(teacher.page.url()).pathname.split("/").pop()!;
      await expect.poll(() => teacher.page.getByTestId("visible-test").count(), SOON).toBe(2);

      // --- An invite code, and its link.
      await teacher.page.goto(courseUrl);
      await teacher.page.getByTestId("create-invite").click();
      await expect.poll(() => teacher.page.getByTestId("invite-link").count(), SOON).toBe(1);
      const link = new URL(await teacher.page.getByTestId("invite-link").inputValue());
      const code = await teacher.page.getByTestId("invite-code-text").textContent();
      expect(link.pathname).toBe(`/courses/join/${code}`);

      // --- The student opens the link signed out, signs in, joins, and finds the assignment.
      await student.page.goto(`${webUrl()}${link.pathname}`);
      await student.page.waitForURL(/\/signin\?callbackUrl=/);
      await signInHere(student.page, studentUser);
      await student.page.waitForURL(`${webUrl()}${link.pathname}`);
      await student.page.getByTestId("join-course").click();
      await student.page.waitForURL(courseUrl);
      expect(await student.page.getByTestId("course-role").textContent()).toBe("student");
      await student.page.getByTestId("assignment-list").getByRole("link", { name: "Reverse abc" }).click();
      await student.page.waitForURL(`${webUrl()}/assignments/${assignmentId}`);
      expect(await student.page.getByTestId("visible-tests").textContent()).toContain("reverses abc");
      expect(await student.page.getByTestId("hidden-tests").textContent()).toContain("1 hidden test worth 3 points");
      await expectNoHiddenText(student);

      // --- The workspace: the student's own room, made from the starter file.
      await student.page.getByTestId("open-workspace").click();
      await student.page.waitForURL(/\/rooms\/[0-9a-f-]{36}$/);
      const roomId = new URL(student.page.url()).pathname.split("/").pop()!;
      await expect.poll(() => student.page.getByTestId("connection").textContent(), SOON).toContain("Connected");
      await student.page.getByTestId("file-main.py").click();
      await expect.poll(async () => plain(await editorText(student.page)), SOON).toContain("# write your solution here");

      // A solution that passes the visible test and fails the hidden one.
      await student.page.locator(".monaco-editor .view-lines").first().click();
      await student.page.keyboard.press("Control+A");
      await student.page.keyboard.press("Delete");
      await student.page.keyboard.type('print("cba")', { delay: 20 });
      await expect.poll(async () => plain(await editorText(student.page)), SOON).toBe('print("cba")');

      // --- Test: the visible test only, graded by the runner on the live files.
      const panel = student.page.getByTestId("assignment-panel");
      await expect.poll(() => panel.textContent(), SOON).toContain("Reverse abc");
      await student.page.getByTestId("run-tests").click();
      await expect.poll(() => student.page.getByTestId("grading-status").textContent(), GRADED).toContain("Graded");
      expect(await student.page.getByTestId("test-score").textContent()).toContain("2 / 2 points");
      const testRows = student.page.getByTestId("test-result");
      expect(await testRows.count()).toBe(1);
      expect(await testRows.nth(0).getAttribute("data-verdict")).toBe("passed");
      expect(await testRows.nth(0).textContent()).toContain("reverses abc");
      expect(await student.page.getByTestId("test-results").textContent()).not.toContain("reverses a secret");

      // --- The teacher opens the gradebook before the student submits: the student's cell is empty, the page live.
      await teacher.page.goto(`${webUrl()}/courses/${courseId}/gradebook`);
      const cell = teacher.page.getByTestId(`cell-${studentUser.id}-${assignmentId}`);
      await expect.poll(() => cell.getAttribute("data-state"), SOON).toBe("missing");
      await teacher.page.locator('[data-testid="live-state"][data-state="live"]').waitFor();
      // A mark that a reload would wipe out.
      await teacher.page.evaluate(() => {
        (window as unknown as { notReloaded?: boolean }).notReloaded = true;
      });

      // --- Submit (confirmed in the dialog): every test, the score once graded.
      await student.page.getByTestId("submit").click();
      await expect.poll(() => student.page.getByTestId("grading-status").textContent(), SOON).toMatch(/^Submission #1: /);
      await expect.poll(() => student.page.getByTestId("submission-score").textContent(), GRADED).toContain("Score 2 / 5");
      const rows = student.page.getByTestId("test-result");
      await expect.poll(() => rows.count(), SOON).toBe(2);
      expect(await rows.nth(0).getAttribute("data-verdict")).toBe("passed");
      expect(await rows.nth(1).getAttribute("data-verdict")).toBe("wrong_answer");
      // The hidden test: its name, verdict, points and a tag; nothing to open.
      const hiddenRow = await rows.nth(1).textContent();
      expect(hiddenRow).toContain("reverses a secret");
      expect(hiddenRow).toContain("Wrong answer");
      expect(hiddenRow).toContain("0 / 3 points");
      expect(hiddenRow).toContain("hidden");
      expect(await rows.nth(1).locator("details").count()).toBe(0);
      // Regression: the hidden test's line is laid out like the others (verdict, name and points side by side), not one word a line.
      const tops = await rows
        .nth(1)
        .locator("span")
        .evaluateAll((spans) => spans.slice(0, 3).map((s) => Math.round(s.getBoundingClientRect().top)));
      expect(new Set(tops).size).toBe(1);
      await shot(student.page, "classroom-journey-student.png");
      await expectNoHiddenText(student);

      // The student's submission page says the same, and nothing more of the hidden test.
      await expect.poll(() => student.page.getByTestId("latest-submission").textContent(), SOON).toContain("#1 2 / 5");
      const submissionHref = await student.page.getByTestId("latest-submission").getAttribute("href");
      expect(submissionHref).toMatch(/^\/submissions\/[0-9a-f-]{36}$/);
      await student.page.goto(`${webUrl()}${submissionHref}`);
      expect(await student.page.getByTestId("score").textContent()).toContain("2 / 5");
      expect(await student.page.getByTestId("files").textContent()).toContain('print("cba")');
      expect(await student.page.getByTestId("test-result").count()).toBe(2);
      await expectNoHiddenText(student);

      // --- The teacher's gradebook shows the score as it arrives, without a reload.
      await expect.poll(() => cell.getAttribute("data-state"), GRADED).toBe("graded");
      await expect.poll(() => cell.textContent(), SOON).toContain("2");
      expect(await teacher.page.getByTestId(`total-${studentUser.id}`).textContent()).toBe("2");
      expect(await teacher.page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
      expect(await cell.locator("a").getAttribute("href")).toBe(submissionHref);
      await shot(teacher.page, "classroom-journey-gradebook.png");

      // The submission's page, as staff: the score and the hidden test's expected output.
      await cell.locator("a").click();
      await teacher.page.waitForURL(`${webUrl()}${submissionHref}`);
      expect(await teacher.page.getByTestId("score").textContent()).toContain("2 / 5");
      expect(await teacher.page.content()).toContain(HIDDEN_EXPECTED);

      // --- From the class view into the student's room, live: each sees the other.
      await student.page.goto(`${webUrl()}/rooms/${roomId}`);
      await expect.poll(() => student.page.getByTestId("connection").textContent(), SOON).toContain("Connected");
      await teacher.page.goto(`${webUrl()}/assignments/${assignmentId}/class`);
      const row = teacher.page.locator(`[data-testid=class-row][data-username="${studentUser.username}"]`);
      await expect.poll(() => row.locator("td[data-verdict]").first().getAttribute("data-verdict"), SOON).toBe("passed");
      await row.getByRole("link", { name: studentUser.username }).click();
      await teacher.page.waitForURL(`${webUrl()}/rooms/${roomId}`);
      await expect.poll(() => teacher.page.getByTestId("connection").textContent(), SOON).toContain("Connected");
      await expect.poll(() => teacher.page.getByTestId("presence").textContent(), SOON).toContain(studentUser.username);
      await expect.poll(() => student.page.getByTestId("presence").textContent(), SOON).toContain(teacherUser.username);
      // The teacher is in the student's files, live.
      await teacher.page.getByTestId("file-main.py").click();
      await expect.poll(async () => plain(await editorText(teacher.page)), SOON).toContain('print("cba")');
      await expectNoHiddenText(student);

      expect(student.problems).toEqual([]);
      expect(teacher.problems).toEqual([]);
    } finally {
      await student.context.close();
      await teacher.context.close();
    }
  }, 1_200_000);
});
