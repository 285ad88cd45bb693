import fs from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { useBrowser, watchedPage } from "../support/browser";
import { registerUser, uniqueIp, webUrl } from "../support/api";
import { ROOT } from "../support/stack";

const browser = useBrowser();

async function signInHere(page: Page, user: { username: string; password: string }) {
  await page.getByLabel("Username").fill(user.username);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

describe("courses in the browser", () => {
  it("a teacher creates a course and an invite code; a student opens the link signed out, signs in, joins and sees the course", async () => {
    const [teacherUser, studentUser] = await Promise.all([registerUser(), registerUser()]);

    // The teacher reaches Courses from the top bar and creates a course.
    const teacherContext = await browser().newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
    const teacher = await watchedPage(teacherContext);
    await teacher.page.goto(`${webUrl()}/signin`);
    await signInHere(teacher.page, teacherUser);
    await teacher.page.waitForURL(`${webUrl()}/`);
    await teacher.page.getByTestId("courses-link").click();
    await teacher.page.waitForURL(`${webUrl()}/courses`);
    await teacher.page.getByTestId("new-course-name").fill("Intro to Python");
    await teacher.page.getByTestId("create-course").click();
    await teacher.page.waitForURL(/\/courses\/[0-9a-f-]{36}$/);
    const courseUrl = teacher.page.url();
    expect(await teacher.page.getByTestId("course-name").textContent()).toBe("Intro to Python");
    expect(await teacher.page.getByTestId("course-role").textContent()).toBe("teacher");

    // A code that works for 7 days, with its link.
    await teacher.page.getByTestId("invite-lifetime").selectOption({ label: "for 7 days" });
    await teacher.page.getByTestId("create-invite").click();
    const link = await teacher.page.getByTestId("invite-link").inputValue();
    const code = await teacher.page.getByTestId("invite-code-text").textContent();
    expect(code).toMatch(/^[A-HJKMNP-Z2-9]{10}$/);
    expect(new URL(link).pathname).toBe(`/courses/join/${code}`);
    expect(await teacher.page.getByTestId("invite-code").textContent()).toContain("expires");

    // The student opens the link signed out: sign in first, then back to the join page.
    const studentContext = await browser().newContext({ extraHTTPHeaders: { "x-forwarded-for": uniqueIp() } });
    const student = await watchedPage(studentContext);
    await student.page.goto(`${webUrl()}${new URL(link).pathname}`);
    await student.page.waitForURL(/\/signin\?callbackUrl=/);
    await signInHere(student.page, studentUser);
    await student.page.waitForURL(`${webUrl()}/courses/join/${code}`);
    expect(await student.page.getByTestId("join-code").textContent()).toBe(code);
    await student.page.getByTestId("join-course").click();
    await student.page.waitForURL(courseUrl);
    expect(await student.page.getByTestId("course-name").textContent()).toBe("Intro to Python");
    expect(await student.page.getByTestId("course-role").textContent()).toBe("student");
    // The student sees their teacher, themselves, and no teacher's tools.
    const roster = await student.page.getByTestId("roster").textContent();
    expect(roster).toContain(teacherUser.username);
    expect(roster).toContain(studentUser.username);
    expect(await student.page.getByTestId("invite-lifetime").count()).toBe(0);
    await student.page.goto(`${webUrl()}/courses`);
    expect(await student.page.getByTestId("course-list").textContent()).toContain("Intro to Python");

    // The teacher's roster now lists the student.
    await teacher.page.reload();
    await expect.poll(() => teacher.page.getByTestId("roster").textContent(), { timeout: 60_000 }).toContain(studentUser.username);

    // A CSV upload with a bad line imports nothing and names the line; a good one adds its people.
    const listed = await registerUser();
    const csv = (text: string) => ({ name: "roster.csv", mimeType: "text/csv", buffer: Buffer.from(text) });
    await teacher.page.getByTestId("roster-file").setInputFiles(csv(`username,role\n${listed.username},ta\nnobody_here_q,student\n`));
    await expect
      .poll(() => teacher.page.getByTestId("roster-problems").textContent(), { timeout: 60_000 })
      .toContain('Line 3: no user is named "nobody_here_q"');
    expect(await teacher.page.getByTestId("roster").textContent()).not.toContain(listed.username);
    await teacher.page.getByTestId("roster-file").setInputFiles(csv(`username,role\n${listed.username},ta\n${studentUser.username}\n`));
    await expect
      .poll(() => teacher.page.getByTestId("roster-upload-result").textContent(), { timeout: 60_000 })
      .toContain("Added 1; 1 were in the course already");
    await expect.poll(() => teacher.page.getByTestId("roster").textContent(), { timeout: 60_000 }).toContain(listed.username);
    expect(await teacher.page.getByTestId("roster-problems").count()).toBe(0);

    fs.mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
    await teacher.page.screenshot({ path: path.join(ROOT, "test-results", "classroom-course.png"), fullPage: true });

    // The refused upload is the one failed request the teacher's page saw (its 400 and the console's note of it).
    const refused = (p: string) =>
      p.endsWith("400 /api/v1/courses/" + new URL(courseUrl).pathname.split("/")[2] + "/members/import") || p.includes("status of 400");
    expect(teacher.problems.filter(refused)).toHaveLength(2);
    expect(teacher.problems.filter((p) => !refused(p))).toEqual([]);
    expect(student.problems).toEqual([]);
    await teacherContext.close();
    await studentContext.close();
  });
});
