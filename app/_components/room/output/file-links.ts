/**
 * File references in program output: "main.py, line 3" in a Python
 * traceback, "main.c:5:3: error" from gcc, "Main.java:4: error" from javac,
 * "(/work/main.js:2:7)" in a Node stack, " --> src/main.rs:2:5" from rustc,
 * "./main.go:5:2:" from go. Each becomes a link that opens the room's file at
 * that line. Pure text logic: the terminal maps the character ranges to cells.
 */

/** Where the sandbox puts the room's files (runner/sandbox/oci/bundle.ts: cwd "/work"); paths under it are room paths. */
export const SANDBOX_PROJECT_DIR = "/work/";

export interface FileRef {
  /** Index in the text of the link's first character. */
  start: number;
  /** Index just after its last character. */
  end: number;
  /** The room path (no sandbox prefix, no "./"). */
  path: string;
  line: number;
  column?: number;
}

/** Python: File "/work/pkg/util.py", line 12 (the link covers the path and the line number). */
const PYTHON = /File "([^"\n]+)", line (\d+)/g;
/**
 * Everything else: path:line[:column]. A path is a run of path characters ending in a file
 * extension; it may start with "./" or the sandbox's absolute prefix.
 */
const PATH_LINE = /((?:\.{1,2}\/|\/)?[\w.\-/]*[\w-]\.[A-Za-z][\w]*):(\d+)(?::(\d+))?/g;

/** The room path a path printed inside the sandbox stands for; undefined when it is outside the project. */
export function roomPath(printed: string): string | undefined {
  let path = printed;
  if (path.startsWith(SANDBOX_PROJECT_DIR)) path = path.slice(SANDBOX_PROJECT_DIR.length);
  else if (path.startsWith("/")) return undefined;
  while (path.startsWith("./")) path = path.slice(2);
  if (!path || path.split("/").some((part) => part === ".." || part === "." || part === "")) return undefined;
  return path;
}

/**
 * The references in one line of output that name a file of the room (`exists`),
 * in order, never overlapping. A line number must be 1 or more.
 */
export function findFileRefs(text: string, exists: (path: string) => boolean): FileRef[] {
  const refs: FileRef[] = [];
  const add = (ref: FileRef) => {
    if (ref.line < 1 || !exists(ref.path)) return;
    if (refs.some((r) => ref.start < r.end && r.start < ref.end)) return;
    refs.push(ref);
  };
  for (const m of text.matchAll(PYTHON)) {
    const path = roomPath(m[1]!);
    const start = m.index! + 'File "'.length;
    if (path) add({ start, end: m.index! + m[0].length, path, line: Number(m[2]) });
  }
  for (const m of text.matchAll(PATH_LINE)) {
    const path = roomPath(m[1]!);
    if (path) add({ start: m.index!, end: m.index! + m[0].length, path, line: Number(m[2]), column: m[3] ? Number(m[3]) : undefined });
  }
  return refs.sort((a, b) => a.start - b.start);
}
