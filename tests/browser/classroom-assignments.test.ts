import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import type { Database } from "../../lib/db/client";
import { api, PASSWORD, uniqueIp, webUrl } from "../support/api";
import { useBrowser, watchedPage } from "../support/browser";
import { courseWithMembers, testDatabase, waitForPython } from "../support/classroom-assignments";

/**
 * The assignment pages in a browser: a teacher writes an assignment with a
 * visible and a hidden io test in the editor; a student opens it and sees the
 * statement rendered from Markdown (raw HTML left out) and the visible test
 * only, the hidden one as a count.
 */
const browser = useBrowser();
let db: Database | undefined;
afterAll(async () => {
  await db?.$disconnect();
});

async function signedIn(username: string) {
  const context = await browser().newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() }, viewport: { width: 1280, height: 900 } });
  const { page, problems } = await watchedPage(context);
  await page.goto(`${webUrl()}/signin`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${webUrl()}/`);
  return { context, page, problems };
}

async function fillTest(page: Page, i: number, t: { name: string; visibility: string; points: string; stdin: string; expected: string }) {
  await page.getByTestId("add-test").click();
  await page.getByTestId(`test-${i}-name`).fill(t.name);
  await page.getByTestId(`test-${i}-visibility`).selectOption(t.visibility);
  await page.getByTestId(`test-${i}-points`).fill(t.points);
  await page.getByTestId(`test-${i}-stdin`).fill(t.stdin);
  await page.getByTestId(`test-${i}-expected`).fill(t.expected);
}

describe("assignments in the browser", () => {
  it("a teacher creates an assignment with a visible and a hidden test; a student sees the statement and the visible test only", async () => {
    db = testDatabase();
    const course = await courseWithMembers(db, "Browser course");
    await waitForPython(course.teacher.token);

    const teacher = await signedIn(course.teacher.username);
    await teacher.page.goto(`${webUrl()}/courses/${course.courseId}/assignments/new`);
    await teacher.page.getByTestId("assignment-title").fill("Double it");
    await teacher.page
      .getByTestId("assignment-statement")
      .fill("# Double it\nRead a number and print **twice** it.\n\n<script>window.pwned = 1</script><b>raw</b>");
    await teacher.page.getByTestId("assignment-language").selectOption("python");
    await fillTest(teacher.page, 0, { name: "doubles 2", visibility: "visible", points: "1", stdin: "2\n", expected: "4\n" });
    await fillTest(teacher.page, 1, { name: "doubles secret", visibility: "hidden", points: "3", stdin: "hidden-input-21\n", expected: "hidden-output-42\n" });
    await teacher.page.getByTestId("save-assignment").click();
    await teacher.page.waitForURL(/\/assignments\/[0-9a-f-]{36}$/);
    const assignmentId = teacher.page.url().split("/").pop()!;
    // The teacher's view lists both tests and offers the editor.
    await expect.poll(() => teacher.page.getByTestId("visible-test").count(), { timeout: 60_000 }).toBe(2);
    expect(await teacher.page.getByTestId("edit-assignment").isVisible()).toBe(true);

    // Stored as sent: two io tests, the second hidden.
    const stored = await api("GET", `/api/v1/assignments/${assignmentId}/tests`, { token: course.teacher.token });
    expect(stored.json.tests.map((t: { name: string; visibility: string; kind: string; points: number }) => [t.name, t.visibility, t.kind, t.points])).toEqual([
      ["doubles 2", "visible", "io", 1],
      ["doubles secret", "hidden", "io", 3],
    ]);

    const student = await signedIn(course.student.username);
    await student.page.goto(`${webUrl()}/assignments/${assignmentId}`);
    await student.page.getByTestId("assignment-heading").waitFor();
    // The statement rendered from Markdown: a heading and bold text, raw HTML left out.
    const statement = student.page.getByTestId("assignment-statement-rendered");
    expect(await statement.locator("h1").textContent()).toBe("Double it");
    expect(await statement.locator("strong").textContent()).toBe("twice");
    expect(await statement.locator("script, b").count()).toBe(0);
    expect(await student.page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    // The visible test in full; the hidden one only as a count and points.
    expect(await student.page.getByTestId("visible-test").count()).toBe(1);
    expect(await student.page.getByTestId("visible-tests").textContent()).toContain("doubles 2");
    expect(await student.page.getByTestId("hidden-tests").textContent()).toContain("1 hidden test worth 3 points");
    const html = await student.page.content();
    expect(html).not.toContain("hidden-input-21");
    expect(html).not.toContain("hidden-output-42");
    expect(html).not.toContain("doubles secret");
    expect(await student.page.getByTestId("open-workspace").getAttribute("href")).toBe(`/assignments/${assignmentId}/workspace`);
    expect(await student.page.getByTestId("edit-assignment").count()).toBe(0);

    // The teacher edits it: the editor holds both tests; an autograding.json imported from the page shows its warnings.
    await teacher.page.goto(`${webUrl()}/assignments/${assignmentId}/edit`);
    expect(await teacher.page.getByTestId("test-1-name").inputValue()).toBe("doubles secret");
    const autograding = {
      tests: [{ name: "greets", setup: "pip install x", run: "python main.py", input: "", output: "hi", comparison: "included", points: 2 }],
    };
    await teacher.page
      .getByTestId("import-file")
      .setInputFiles({ name: "autograding.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(autograding)) });
    await teacher.page.getByTestId("import-warnings").waitFor();
    expect(await teacher.page.getByTestId("import-warnings").textContent()).toMatch(/greets: .*setup step/);
    expect(await teacher.page.getByTestId("test-0-name").inputValue()).toBe("greets");
    expect(await teacher.page.getByTestId("test-1-name").count()).toBe(0);
    await teacher.page.getByTestId("assignment-title").fill("Double it, again");
    await teacher.page.getByTestId("save-assignment").click();
    await teacher.page.waitForURL(`${webUrl()}/assignments/${assignmentId}`);
    await expect.poll(() => teacher.page.getByTestId("assignment-heading").textContent(), { timeout: 60_000 }).toBe("Double it, again");

    expect(teacher.problems).toEqual([]);
    expect(student.problems).toEqual([]);
    await teacher.context.close();
    await student.context.close();
  });
});
