import fs from "node:fs";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { appendCourseEvent } from "../../lib/classroom/events";
import { createDatabase, type Database } from "../../lib/db/client";
import { createRedis } from "../../lib/redis/connection";
import { PASSWORD, registerUser, uniqueName, webUrl } from "../support/api";
import { useBrowser, watchedPage } from "../support/browser";
import { insertAssignment, insertCourse, insertSubmission, insertUserWithToken, resultsOf } from "../support/gradebook-rows";

/**
 * The teacher's gradebook in a real browser: a grade that finishes after the
 * page loaded appears in its cell (flashing) through the course's event
 * stream, without a reload; the CSV downloads. Submissions and gradings are
 * written as rows (the grading runner is tested on its own) and the event is
 * appended as the runner appends it.
 */
const browser = useBrowser();
let db: Database;
let redis: ReturnType<typeof createRedis>;

beforeAll(() => {
  db = createDatabase(inject("databaseUrl"));
  redis = createRedis(inject("redisUrl"));
});
afterAll(async () => {
  redis?.disconnect();
  await db?.$disconnect();
});

async function signedIn(username: string): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser().newContext({ viewport: { width: 1366, height: 800 }, acceptDownloads: true });
  const { page, problems } = await watchedPage(context);
  await page.goto(`${webUrl()}/signin`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${webUrl()}/`);
  return { context, page, problems };
}

describe("the teacher's gradebook", () => {
  it("shows a grade live when its grading finishes after the page loaded, and downloads the CSV", async () => {
    const [teacher, early, late, student] = await Promise.all([
      registerUser(),
      registerUser(uniqueName("ann")),
      registerUser(uniqueName("ben")),
      registerUser(),
    ]);
    const courseId = await insertCourse(db, "Live course", [
      { userId: teacher.id, role: "teacher" },
      { userId: early.id, role: "student" },
      { userId: late.id, role: "student" },
      { userId: student.id, role: "student" },
    ]);
    const a = await insertAssignment(db, courseId, {
      title: "Fizz",
      dueAt: new Date(Date.now() + 86_400_000),
      tests: [
        { name: "visible", points: 3 },
        { name: "hidden", points: 7 },
      ],
    });
    await insertSubmission(db, { assignmentId: a.id, userId: early.id, number: 1, results: resultsOf(a.tests, [true, false]) });

    const { context, page, problems } = await signedIn(teacher.username);
    await page.goto(`${webUrl()}/courses/${courseId}/gradebook`);
    await expect.poll(() => page.getByTestId(`cell-${early.id}-${a.id}`).textContent()).toContain("3");
    const cell = page.getByTestId(`cell-${late.id}-${a.id}`);
    expect(await cell.getAttribute("data-state")).toBe("missing");
    await page.locator('[data-testid="live-state"][data-state="live"]').waitFor();

    // The student submits and the grading finishes now, after the page loaded: the runner's rows, then its event.
    const flashed = page.locator(`[data-testid="cell-${late.id}-${a.id}"][data-flash="yes"]`).waitFor();
    const submissionId = await insertSubmission(db, { assignmentId: a.id, userId: late.id, number: 1, results: resultsOf(a.tests, [true, true]) });
    await appendCourseEvent(redis, courseId, "grading", { assignmentId: a.id, submissionId, userId: late.id, score: 10, maxScore: 10 });
    await flashed;
    await expect.poll(() => cell.textContent()).toContain("10");
    expect(await cell.getAttribute("data-state")).toBe("graded");
    expect(await cell.locator("a").getAttribute("href")).toBe(`/submissions/${submissionId}`);
    expect(await page.getByTestId(`total-${late.id}`).textContent()).toBe("10");

    // The filter runs in the page: only the late student's row is left.
    await page.getByTestId("filter-name").fill(late.username.slice(0, 8));
    await expect.poll(() => page.locator('[data-testid^="row-"]').count()).toBe(1);

    // CSV of what is shown, as a download.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("csv-download").click()]);
    expect(download.suggestedFilename()).toMatch(/^gradebook-live-course-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = fs.readFileSync((await download.path())!, "utf8");
    expect(csv).toBe(`Student,Fizz,Total\r\n${late.username},10,10\r\n`);
    expect(problems.filter((p) => p.startsWith("page error"))).toEqual([]);
    await context.close();

    // A student of the course is told the gradebook is not theirs.
    const other = await signedIn(student.username);
    await other.page.goto(`${webUrl()}/courses/${courseId}/gradebook`);
    await other.page.getByTestId("gradebook-refused").waitFor();
    expect(await other.page.getByTestId("gradebook").count()).toBe(0);
    await other.context.close();
  });
});
