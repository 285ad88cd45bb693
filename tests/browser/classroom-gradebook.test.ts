import fs from "node:fs";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { appendCourseEvent } from "../../lib/classroom/events";
import { createDatabase, type Database } from "../../lib/db/client";
import { createRedis } from "../../lib/redis/connection";
import { PASSWORD, registerUser, uniqueIp, uniqueName, webUrl } from "../support/api";
import { useBrowser, watchedPage } from "../support/browser";
import { insertAssignment, insertCourse, insertGrading, insertSubmission, insertUserWithToken, resultsOf } from "../support/gradebook-rows";

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
  const context = await browser().newContext({
    extraHTTPHeaders: { "x-forwarded-for": uniqueIp() },
    viewport: { width: 1366, height: 800 },
    acceptDownloads: true,
  });
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
    // Only those who sign in get a password (hashing is slow on a busy machine).
    const teacher = await registerUser();
    const student = await registerUser();
    const early = await insertUserWithToken(db, uniqueName("ann"));
    const late = await insertUserWithToken(db, uniqueName("ben"));
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
    await expect.poll(() => page.getByTestId(`cell-${early.id}-${a.id}`).textContent(), { timeout: 60_000 }).toContain("3");
    const cell = page.getByTestId(`cell-${late.id}-${a.id}`);
    expect(await cell.getAttribute("data-state")).toBe("missing");
    await page.locator('[data-testid="live-state"][data-state="live"]').waitFor();

    // The student submits and the grading finishes now, after the page loaded: the runner's rows, then its event.
    const flashed = page.locator(`[data-testid="cell-${late.id}-${a.id}"][data-flash="yes"]`).waitFor();
    const submissionId = await insertSubmission(db, { assignmentId: a.id, userId: late.id, number: 1, results: resultsOf(a.tests, [true, true]) });
    await appendCourseEvent(redis, courseId, "grading", { assignmentId: a.id, submissionId, userId: late.id, score: 10, maxScore: 10 });
    await flashed;
    await expect.poll(() => cell.textContent(), { timeout: 60_000 }).toContain("10");
    expect(await cell.getAttribute("data-state")).toBe("graded");
    expect(await cell.locator("a").getAttribute("href")).toBe(`/submissions/${submissionId}`);
    expect(await page.getByTestId(`total-${late.id}`).textContent()).toBe("10");

    // The filter runs in the page: only the late student's row is left.
    await page.getByTestId("filter-name").fill(late.username.slice(0, 8));
    await expect.poll(() => page.locator('[data-testid^="row-"]').count(), { timeout: 60_000 }).toBe(1);

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

describe("the re-grade page", () => {
  it("shows progress live, previews the change, and applies it", async () => {
    const teacher = await registerUser();
    const amy = await insertUserWithToken(db, uniqueName("amy"));
    const bob = await insertUserWithToken(db, uniqueName("bob"));
    const courseId = await insertCourse(db, "Regrade course", [
      { userId: teacher.id, role: "teacher" },
      { userId: amy.id, role: "student" },
      { userId: bob.id, role: "student" },
    ]);
    const a = await insertAssignment(db, courseId, {
      title: "Sums",
      dueAt: new Date(Date.now() + 86_400_000),
      tests: [
        { name: "easy", points: 4 },
        { name: "fixed", points: 6 },
      ],
    });
    const amySub = await insertSubmission(db, { assignmentId: a.id, userId: amy.id, number: 1, results: resultsOf(a.tests, [true, false]) });
    const bobSub = await insertSubmission(db, { assignmentId: a.id, userId: bob.id, number: 1, results: resultsOf(a.tests, [true, true]) });
    // A set as the API starts it (tested in tests/integration): amy's re-grade finished, bob's still running.
    const set = await db.regradeSet.create({ data: { assignmentId: a.id, createdById: teacher.id, total: 2 } });
    const amyRegrade = await insertGrading(db, {
      assignmentId: a.id,
      userId: amy.id,
      submissionId: amySub,
      kind: "regrade",
      regradeSetId: set.id,
      results: resultsOf(a.tests, [true, true]),
    });
    const bobRegrade = await insertGrading(db, {
      assignmentId: a.id,
      userId: bob.id,
      submissionId: bobSub,
      kind: "regrade",
      regradeSetId: set.id,
      executionStatus: "running",
    });

    const { context, page, problems } = await signedIn(teacher.username);
    await page.goto(`${webUrl()}/assignments/${a.id}/regrades`);
    await expect.poll(() => page.getByTestId("regrade-progress").textContent(), { timeout: 60_000 }).toBe("1 / 2");
    await page.locator('[data-testid="live-state"][data-state="live"]').waitFor();
    expect(await page.getByTestId("apply-regrade").isDisabled()).toBe(true);
    const preview = page.getByTestId("regrade-preview");
    await expect.poll(() => preview.textContent(), { timeout: 60_000 }).toContain(amy.username);
    expect(await preview.textContent()).toContain("fixed: wrong_answer → passed");

    // Bob's grading finishes after the page loaded: the runner's rows, then its course event.
    const result = resultsOf(a.tests, [true, true]);
    await db.grading.update({
      where: { id: bobRegrade },
      data: {
        score: 10,
        maxScore: 10,
        finishedAt: new Date(),
        results: {
          create: result.map((r, position) => ({
            position,
            testId: r.testId,
            name: r.name,
            visibility: "visible",
            maxPoints: r.maxPoints,
            points: r.points,
            verdict: r.verdict,
          })),
        },
      },
    });
    await appendCourseEvent(redis, courseId, "grading", { assignmentId: a.id, gradingId: bobRegrade, regradeSetId: set.id, userId: bob.id, score: 10 });
    await expect.poll(() => page.getByTestId("regrade-progress").textContent(), { timeout: 60_000 }).toBe("2 / 2");
    await expect.poll(() => page.getByTestId("apply-regrade").isEnabled(), { timeout: 60_000 }).toBe(true);

    await page.getByTestId("apply-regrade").click();
    await expect.poll(() => page.getByTestId("regrade-status").textContent(), { timeout: 60_000 }).toBe("applied");
    expect((await db.submission.findUniqueOrThrow({ where: { id: amySub } })).gradingId).toBe(amyRegrade);
    expect((await db.submission.findUniqueOrThrow({ where: { id: bobSub } })).gradingId).toBe(bobRegrade);
    // A finished set offers a new re-grade, no Apply.
    await page.getByTestId("start-regrade").waitFor();
    expect(await page.getByTestId("apply-regrade").count()).toBe(0);
    expect(problems.filter((p) => p.startsWith("page error"))).toEqual([]);
    await context.close();
  });
});
