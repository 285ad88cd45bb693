import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_VARIABLES } from "../../lib/config/env";

const docs = fs.readFileSync(path.resolve(import.meta.dirname, "../../docs/configuration.md"), "utf8");
// A variable is documented when it is named in the first cell of a table row: | `NAME` / `OTHER` | ...
const firstCells = [...docs.matchAll(/^\|([^|]*)\|/gm)].map((m) => m[1] ?? "");
const documented = new Set<string>(firstCells.flatMap((cell) => [...cell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] ?? "")));

describe("docs/configuration.md", () => {
  it("documents every setting the services read", () => {
    expect(CONFIG_VARIABLES.filter((name) => !documented.has(name))).toEqual([]);
  });

  it("documents no setting that does not exist", () => {
    const known = new Set<string>(CONFIG_VARIABLES);
    // Read outside the schema, by the sandbox build and the supervisor's children.
    for (const extra of ["SAM_CONTAINER_ENGINE", "NEXTAUTH_URL", "NEXTAUTH_SECRET"]) known.add(extra);
    expect([...documented].filter((name) => !known.has(name))).toEqual([]);
  });
});
