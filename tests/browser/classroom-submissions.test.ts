import fs from "node:fs";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { PASSWORD, uniqueIp, webUrl } from "../support/api";
import { useBrowser, watchedPage } from "../support/browser";
import { db, finishedGrading, makeAssignment, makeCourse, SECRET, workspaceOf } from "../support/classroom-submissions";
import { ROOT } from "../support/stack";

/**
 * A student's workspace room with its assignment panel: Test and Submit
 * while the grading is queued, a finished grading's verdicts and diff, the
 * submission's page; a teacher sees the panel read-only, follows it to the
 * student's submissions and overrides the score with a comment the
 * student then reads. The runner's grading is another part's: finished
 * gradings are inserted as the runner stores them (the lead's end-to-end
 * test runs the real one).
 */
const browser = useBrowser();
/** The server answers slowly while other suites share the machine: every wait on it gets time. */
const SOON = { timeout: 30_000 };

async function signedIn(username: string): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser().newContext({ viewport: { width: 1366, height: 900 }, extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
  const { page, problems } = await watchedPage(context);
  page.on("dialog", (dialog) => void dialog.accept());
  await page.goto(`${webUrl()}/signin`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${webUrl()}/`);
  return { context, page, problems };
}

const shot = async (page: Page, name: string) => {
  fs.mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
  await page.screenshot({ path: path.join(ROOT, "test-results", name), fullPage: true });
};

describe("Test and Submit in a workspace room", () => {
  it("the student tests and submits; results, diff and score show; the teacher overrides from the read-only panel", async () => {
    const course = await makeCourse(1);
    const student = course.students[0]!;
    const assignment = await makeAssignment(course.id, { submissionLimit: 3 });
    // A program that takes a while, so the panel is seen while its grading waits.
    const roomId = await workspaceOf({ ...assignment, starterFiles: [{ name: "main.py", content: "import time\ntime.sleep(20)\nprint(input())\n" }] }, student);

    const me = await signedIn(student.username);
    const page = me.page;
    await page.goto(`${webUrl()}/rooms/${roomId}`);
    const panel = page.getByTestId("assignment-panel");
    await expect.poll(() => panel.textContent(), { timeout: 60_000 }).toContain("Echo");
    expect(await panel.getByRole("link", { name: "Echo" }).getAttribute("href")).toBe(`/assignments/${assignment.id}`);
    await expect.poll(() => page.getByTestId("submissions-left").textContent(), SOON).toBe("3 of 3 submissions left");

    // Test: the grading shows as waiting (queued, or already running).
    await page.getByTestId("run-tests").click();
    await expect.poll(() => page.getByTestId("grading-status").textContent(), SOON).toMatch(/^Test: (Queued…|Grading…)$/);
    const tested = await db.grading.findFirstOrThrow({ where: { assignmentId: assignment.id, userId: student.id, kind: "test" } });
    expect(tested.finishedAt).toBeNull();

    // A finished Test grading: the next Test's answer points the panel at one stored as the runner stores it.
    const finished = await finishedGrading(assignment, student.id, { kind: "test" });
    await page.route(`**/api/v1/assignments/${assignment.id}/test`, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...(await response.json()), gradingId: finished.id } });
    });
    await page.getByTestId("run-tests").click();
    await expect.poll(() => page.getByTestId("test-score").textContent(), SOON).toContain("8 / 10 points");
    const rows = page.getByTestId("test-result");
    await expect.poll(() => rows.count(), SOON).toBe(3);
    expect(await rows.nth(0).textContent()).toContain("Wrong answer");
    expect(await rows.nth(1).textContent()).toContain("Passed");
    expect(await rows.nth(1).textContent()).toContain("hidden");
    // A click opens the diff of expected against actual output.
    await rows.nth(0).locator("summary").click();
    await expect.poll(() => rows.nth(0).getByTestId("diff").textContent(), SOON).toBe("- hello\n+ hallo\n");
    expect(await rows.nth(0).getByTestId("expected-output").textContent()).toBe("hello\n");
    await shot(page, "classroom-test-results.png");
    expect(await page.content()).not.toContain(SECRET);
    await page.unroute(`**/api/v1/assignments/${assignment.id}/test`);

    // Submit (confirmed): queued, one submission fewer left.
    await page.getByTestId("submit").click();
    await expect.poll(() => page.getByTestId("grading-status").textContent(), SOON).toMatch(/^Submission #1: (Queued…|Grading…)$/);
    await expect.poll(() => page.getByTestId("submissions-left").textContent(), SOON).toBe("2 of 3 submissions left");
    const submission = await db.submission.findFirstOrThrow({ where: { assignmentId: assignment.id, userId: student.id } });
    await finishedGrading(assignment, student.id, { submissionId: submission.id });

    // The submission's page: the score, each test, the files.
    await page.goto(`${webUrl()}/submissions/${submission.id}`);
    expect(await page.getByTestId("score").textContent()).toContain("8 / 10");
    expect(await page.getByTestId("files").textContent()).toContain("time.sleep(20)");
    expect(await page.getByTestId("test-result").count()).toBe(3);
    expect(await page.content()).not.toContain(SECRET);
    expect(await page.getByTestId("override-form").count()).toBe(0);

    // The teacher opens the student's room: the panel is read-only and leads to the student's submissions.
    const teacher = await signedIn(course.teacher.username);
    await teacher.page.goto(`${webUrl()}/rooms/${roomId}`);
    const theirs = teacher.page.getByTestId("assignment-panel");
    await expect.poll(() => theirs.textContent(), { timeout: 60_000 }).toContain(`Submissions of ${student.username}`);
    expect(await theirs.getByTestId("submit").count()).toBe(0);
    expect(await theirs.getByTestId("run-tests").count()).toBe(0);
    await theirs.getByTestId("student-submissions").click();
    await teacher.page.waitForURL(/\/assignments\/.+\/submissions\?userId=/);
    await teacher.page.getByRole("link", { name: "#1" }).click();
    await teacher.page.waitForURL(`${webUrl()}/submissions/${submission.id}`);
    // Staff see the hidden test's expected output.
    expect(await teacher.page.content()).toContain(`${SECRET} out`);
    await teacher.page.getByLabel("Score (empty: keep the graded score)").fill("9.5");
    await teacher.page.getByLabel("Comment the student sees").fill("Nice work on the edge cases.");
    await teacher.page.getByRole("button", { name: "Save override" }).click();
    await expect.poll(() => teacher.page.getByTestId("score").textContent(), SOON).toContain("9.5 / 10");
    await shot(teacher.page, "classroom-submission-override.png");

    // The student reads the override and its comment.
    await page.reload();
    expect(await page.getByTestId("score").textContent()).toContain("9.5 / 10");
    expect(await page.getByTestId("override-comment").textContent()).toBe("Nice work on the edge cases.");
    expect(me.problems).toEqual([]);
    expect(teacher.problems).toEqual([]);
    await me.context.close();
    await teacher.context.close();
  });
});
