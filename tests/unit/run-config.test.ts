import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import {
  defaultNewRoomLanguage,
  formatArgs,
  languageForPath,
  parseArgs,
  readRunConfig,
  runMapOf,
  runRequestBody,
  writeRunConfig,
} from "../../lib/rooms/run-config";

/** The language catalogue as the runners publish it (language and entry file of each sandbox/languages/*.json). */
const CATALOGUE_DIR = path.join(import.meta.dirname, "../../sandbox/languages");
const catalogue = fs
  .readdirSync(CATALOGUE_DIR)
  .filter((f) => f.endsWith(".json"))
  .map((f) => JSON.parse(fs.readFileSync(path.join(CATALOGUE_DIR, f), "utf8")) as { language: string; entryFile?: string });

describe("a file's language, from the catalogue's entry files", () => {
  it.each([
    ["main.py", "python"],
    ["src/tools/helper.py", "python"],
    ["main.c", "c"],
    ["lib/Util.CPP", "cpp"],
    ["Main.java", "java"],
    ["app.js", "javascript"],
    ["build.sh", "bash"],
  ])("%s runs as %s", (file, language) => {
    expect(languageForPath(file, catalogue)).toBe(language);
  });

  it.each(["README.md", "Makefile", ".py", "notes.txt"])("%s has no language", (file) => {
    expect(languageForPath(file, catalogue)).toBeUndefined();
  });

  it("follows the catalogue, not a list of its own: a language without runners maps nothing", () => {
    expect(
      languageForPath(
        "main.py",
        catalogue.filter((r) => r.language !== "python"),
      ),
    ).toBeUndefined();
  });
});

describe("a new room's language", () => {
  it("is python where it is offered, though others come first alphabetically (regression)", () => {
    const offered = [...catalogue].sort((a, b) => a.language.localeCompare(b.language));
    expect(offered[0]!.language).not.toBe("python");
    expect(defaultNewRoomLanguage(offered)).toBe("python");
  });

  it("is the first offered when python is not, and empty when none is", () => {
    expect(defaultNewRoomLanguage([{ language: "c" }, { language: "java" }])).toBe("c");
    expect(defaultNewRoomLanguage([])).toBe("");
  });
});

describe("the args line", () => {
  it.each([
    ["1 2  3", ["1", "2", "3"]],
    ['"two words" x', ["two words", "x"]],
    ["'it''s' a\\ b", ["its", "a b"]],
    ['"" end', ["", "end"]],
    ["   ", []],
  ])("%j reads as %j", (line, args) => {
    expect(parseArgs(line)).toEqual(args);
  });

  it.each([[["plain", "two words", "", "it's", 'q"uote', "back\\slash"]], [[]]])("formats %j so that it reads back the same", (args) => {
    expect(parseArgs(formatArgs(args))).toEqual(args);
  });
});

describe("the configuration in a document", () => {
  it("reads defaults from an empty document, and what was written", () => {
    const doc = new Y.Doc();
    expect(readRunConfig(doc)).toEqual({ entry: undefined, language: undefined, args: [], stdin: "" });
    writeRunConfig(doc, { entry: "main.c", language: "c", args: ["a"], stdin: "5" });
    expect(readRunConfig(doc)).toEqual({ entry: "main.c", language: "c", args: ["a"], stdin: "5" });
    writeRunConfig(doc, { stdin: "", args: [] });
    expect(runMapOf(doc).has("stdin")).toBe(false);
    expect(runMapOf(doc).has("args")).toBe(false);
  });

  it("refuses to write what the room server would refuse, and reads broken stored values as unset", () => {
    const doc = new Y.Doc();
    expect(() => writeRunConfig(doc, { entry: "../x" })).toThrow(/run entry/);
    runMapOf(doc).set("language", 7);
    runMapOf(doc).set("args", "not a list");
    expect(readRunConfig(doc)).toEqual({ entry: undefined, language: undefined, args: [], stdin: "" });
  });

  it("sends the room's language when none is set, and input as whole lines", () => {
    expect(runRequestBody({ args: [], stdin: "3" }, "python")).toEqual({ language: "python", args: [], stdin: "3\n" });
    expect(runRequestBody({ entry: "main.c", language: "c", args: ["1"], stdin: "" }, "python")).toEqual({
      entry: "main.c",
      language: "c",
      args: ["1"],
      stdin: "",
    });
  });
});
