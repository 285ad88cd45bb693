import type { Database } from "../../db/client";
import { ApiError } from "../../http/errors";
import { definitionOf, specOf, TEST_LIMITS, type TestDefinition } from "../tests/spec";

export interface StoredTest extends Record<string, unknown> {
  id: string;
  position: number;
}

type Row = { id: string; position: number; name: string; points: number; visibility: string; kind: string; limits: unknown; spec: unknown };

/** A stored row as the API carries it: its id and position, then the definition (testSchema's shape). */
export function storedTest(row: Row): StoredTest & TestDefinition {
  return { id: row.id, position: row.position, ...definitionOf(row) };
}

export async function loadTestRows(db: Database, assignmentId: string): Promise<Row[]> {
  return db.assignmentTest.findMany({ where: { assignmentId }, orderBy: { position: "asc" } });
}

export async function loadTests(db: Database, assignmentId: string): Promise<Array<StoredTest & TestDefinition>> {
  return (await loadTestRows(db, assignmentId)).map(storedTest);
}

/**
 * Replaces the assignment's tests with `tests` (positions 0..n-1), or adds
 * them after the ones it has ("append"), in one transaction: a grading that
 * reads the tests meanwhile sees the old list or the new one, never half.
 * The assignment row is locked so two replacements cannot interleave.
 */
export async function writeTests(db: Database, assignmentId: string, tests: TestDefinition[], mode: "replace" | "append" = "replace") {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Assignment" WHERE id = ${assignmentId}::uuid FOR UPDATE`;
    let start = 0;
    if (mode === "append") {
      start = await tx.assignmentTest.count({ where: { assignmentId } });
      if (start + tests.length > TEST_LIMITS.maxTests) {
        throw new ApiError(
          400,
          "too_many_tests",
          `An assignment holds at most ${TEST_LIMITS.maxTests} tests: it has ${start} and ${tests.length} more were sent; import with mode=replace or remove some.`,
        );
      }
    } else {
      await tx.assignmentTest.deleteMany({ where: { assignmentId } });
    }
    if (tests.length) {
      await tx.assignmentTest.createMany({
        data: tests.map((t, i) => ({
          assignmentId,
          position: start + i,
          name: t.name,
          points: t.points,
          visibility: t.visibility,
          kind: t.kind,
          limits: t.limits,
          spec: specOf(t) as object,
        })),
      });
    }
    await tx.assignment.update({ where: { id: assignmentId }, data: { updatedAt: new Date() } });
    const rows = await tx.assignmentTest.findMany({ where: { assignmentId }, orderBy: { position: "asc" } });
    return rows.map(storedTest);
  });
}
