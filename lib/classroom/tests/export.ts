import type { SuiteFile, TestDefinition, TestLimits } from "./spec";

/** An assignment's tests as the one-file format (suiteFileSchema): what import reads back to the same tests. */
export function exportSuite(limits: TestLimits, tests: TestDefinition[]): SuiteFile {
  return {
    format: "sam-tests",
    version: 1,
    limits,
    // Only the definition: ids and positions belong to this server's rows, the order says the position.
    tests: tests.map(({ ...t }) => {
      const { id: _id, position: _position, ...definition } = t as TestDefinition & { id?: string; position?: number };
      return definition as TestDefinition;
    }),
  };
}

/** A file name for the download, from the assignment's title. */
export function exportFileName(title: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);
  return `${slug || "assignment"}.sam-tests.json`;
}
