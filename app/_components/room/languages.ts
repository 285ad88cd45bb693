/** Monaco's language for a file, by its extension (syntax highlighting). */
const BY_EXTENSION: Record<string, string> = {
  py: "python",
  js: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  ts: "typescript",
  c: "c",
  h: "c",
  cpp: "cpp",
  cc: "cpp",
  hpp: "cpp",
  java: "java",
  sh: "shell",
  bash: "shell",
  json: "json",
  md: "markdown",
  txt: "plaintext",
};

export function languageOfPath(path: string): string {
  const ext = path.split("/").pop()?.split(".").pop()?.toLowerCase() ?? "";
  return BY_EXTENSION[ext] ?? "plaintext";
}
