import { inject } from "vitest";
import { createDatabase, type Database } from "../../lib/db/client";
import { api, registerUser, uniqueIp, webUrl } from "./api";
import { eventually } from "./rooms";

export type TestUser = Awaited<ReturnType<typeof registerUser>>;

/**
 * Courses for the assignment tests, made straight in the database (the
 * courses API is another part's): a teacher, a teaching assistant and a
 * student, each a fresh user.
 */
export async function courseWithMembers(db: Database, name = "Course") {
  const [teacher, ta, student] = await Promise.all([registerUser(), registerUser(), registerUser()]);
  const course = await db.course.create({
    data: {
      name,
      members: {
        create: [
          { userId: teacher.id, role: "teacher" },
          { userId: ta.id, role: "ta" },
          { userId: student.id, role: "student" },
        ],
      },
    },
  });
  return { courseId: course.id, teacher, ta, student };
}

export function testDatabase(): Database {
  return createDatabase(inject("databaseUrl"));
}

/** Waits until a runner has published python (creating an assignment checks its language against the runners). */
export async function waitForPython(token: string): Promise<void> {
  await eventually(
    "a runner offering python",
    async () => {
      const res = await api("GET", "/api/v1/runtimes", { token });
      return res.status === 200 && (res.json as Array<{ language: string }>).some((r) => r.language === "python");
    },
    120_000,
  );
}

/** A raw body upload (a zip or a JSON file) with a bearer token. */
export async function upload(path: string, token: string, body: Uint8Array | string, contentType: string) {
  const response = await fetch(webUrl() + path, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": contentType, "x-forwarded-for": uniqueIp() },
    body: typeof body === "string" ? body : Buffer.from(body),
  });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text, headers: response.headers };
}

export const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
