import type { Database } from "../../db/client";

/** Prisma's client inside a transaction. */
export type Tx = Parameters<Parameters<Database["$transaction"]>[0]>[0];

/**
 * Serializes changes to one course's members and invite codes until the
 * transaction ends, so a count and the write it guards (the last teacher, a
 * full course, the invite cap) cannot be raced past by parallel requests.
 */
export async function lockCourse(tx: Tx, courseId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(hashtext(${`sam:course:${courseId}`}))`;
}

/** Serializes course creation by one account (the cap on courses taught). */
export async function lockCourseCreator(tx: Tx, userId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM pg_advisory_xact_lock(hashtext(${`sam:courses-taught:${userId}`}))`;
}
