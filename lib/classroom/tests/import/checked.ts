import { describeIssues } from "../../../http/errors";
import { TEST_LIMITS, testSchema, type TestDefinition } from "../spec";
import { ImportError } from "./errors";

/** Every imported test through the one test schema (bounds included), so an import can hold nothing a PUT could not. */
export function checkedTests(drafts: unknown[]): TestDefinition[] {
  if (drafts.length > TEST_LIMITS.maxTests) {
    throw new ImportError("invalid_test_file", `The file holds ${drafts.length} tests; an assignment holds at most ${TEST_LIMITS.maxTests}.`);
  }
  return drafts.map((draft, i) => {
    const parsed = testSchema.safeParse(draft);
    if (!parsed.success) {
      const name = (draft as { name?: unknown })?.name;
      throw new ImportError(
        "invalid_test_file",
        `Test ${i + 1}${typeof name === "string" ? ` ("${name.slice(0, 100)}")` : ""}: ${describeIssues(parsed.error)}`,
      );
    }
    return parsed.data;
  });
}
