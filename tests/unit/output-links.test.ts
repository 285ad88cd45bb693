import { describe, expect, it } from "vitest";
import { findFileRefs, roomPath } from "@/app/_components/room/output/file-links";

const room = new Set(["main.py", "pkg/util.py", "main.c", "Main.java", "main.js", "src/main.rs", "main.go", "main.cpp"]);
const exists = (path: string) => room.has(path);
/** What each reference says, with the text it covers. */
const refs = (text: string) => findFileRefs(text, exists).map((r) => ({ text: text.slice(r.start, r.end), path: r.path, line: r.line, column: r.column }));

describe("file references in program output", () => {
  it("python tracebacks, with the sandbox's absolute project path", () => {
    expect(refs('  File "/work/main.py", line 3, in <module>')).toEqual([{ text: '/work/main.py", line 3', path: "main.py", line: 3, column: undefined }]);
    expect(refs('  File "/work/pkg/util.py", line 12, in helper')[0]).toMatchObject({ path: "pkg/util.py", line: 12 });
    expect(refs('  File "main.py", line 7')[0]).toMatchObject({ path: "main.py", line: 7 });
  });

  it("gcc and g++ errors, javac errors, java stacks", () => {
    expect(refs("./main.c:5:3: error: expected ';' before '}' token")).toEqual([{ text: "./main.c:5:3", path: "main.c", line: 5, column: 3 }]);
    expect(refs("main.cpp:10:1: warning: no return")[0]).toMatchObject({ path: "main.cpp", line: 10, column: 1 });
    expect(refs("./Main.java:4: error: ';' expected")).toEqual([{ text: "./Main.java:4", path: "Main.java", line: 4, column: undefined }]);
    expect(refs("\tat Main.main(Main.java:4)")).toEqual([{ text: "Main.java:4", path: "Main.java", line: 4, column: undefined }]);
  });

  it("node, rust and go", () => {
    expect(refs("/work/main.js:2")[0]).toMatchObject({ path: "main.js", line: 2 });
    expect(refs("    at Object.<anonymous> (/work/main.js:2:7)")).toEqual([{ text: "/work/main.js:2:7", path: "main.js", line: 2, column: 7 }]);
    expect(refs("  --> src/main.rs:2:5")[0]).toMatchObject({ path: "src/main.rs", line: 2, column: 5 });
    expect(refs("./main.go:5:2: undefined: x")[0]).toMatchObject({ path: "main.go", line: 5, column: 2 });
  });

  it("only files of the room become links", () => {
    expect(refs('  File "/usr/lib/python3.11/json/__init__.py", line 346, in loads')).toEqual([]);
    expect(refs("other.c:1:1: error")).toEqual([]);
    expect(refs("/tmp/main.c:1:1: error")).toEqual([]);
    expect(refs("connect to example.com:80 failed")).toEqual([]);
    expect(refs("main.py:0")).toEqual([]);
  });

  it("several on one line, in order", () => {
    const found = refs("main.c:1:2 and main.py:3");
    expect(found.map((r) => r.path)).toEqual(["main.c", "main.py"]);
  });

  it("maps sandbox paths to room paths", () => {
    expect(roomPath("/work/a/b.py")).toBe("a/b.py");
    expect(roomPath("./a.py")).toBe("a.py");
    expect(roomPath("/etc/passwd")).toBeUndefined();
    expect(roomPath("../x.py")).toBeUndefined();
    expect(roomPath("/work/../x.py")).toBeUndefined();
  });
});
