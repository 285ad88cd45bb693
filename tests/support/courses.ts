import { api, registerUser } from "./api";
import type { TestUser } from "./rooms";

/** Calls the API as `user` (anonymous without one), with a JSON body when given. */
export const as = (user: TestUser | undefined, method: string, path: string, body?: unknown) =>
  api(method, path, { ...(user ? { token: user.token } : {}), ...(body === undefined ? {} : { body }) });

/**
 * A course made by a fresh teacher, with a TA and two students added by name,
 * and an outsider who is in no course. Each test gets its own.
 */
export async function courseWithMembers(name = "Test course") {
  const [teacher, ta, student, student2, outsider] = await Promise.all([registerUser(), registerUser(), registerUser(), registerUser(), registerUser()]);
  const created = await as(teacher, "POST", "/api/v1/courses", { name });
  if (created.status !== 201) throw new Error(`course not created: ${created.status} ${created.text}`);
  const courseId = created.json.id as string;
  for (const [user, role] of [
    [ta, "ta"],
    [student, "student"],
    [student2, "student"],
  ] as const) {
    const added = await as(teacher, "POST", `/api/v1/courses/${courseId}/members`, { username: user.username, role });
    if (added.status !== 201) throw new Error(`member not added: ${added.status} ${added.text}`);
  }
  return { courseId, teacher, ta, student, student2, outsider };
}
