import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

/**
 * The language catalogue: one JSON file a language under sandbox/languages.
 * A language is data: how to find its version, its entry file, how to compile
 * (optional) and run it, limits it needs beyond the defaults, and a test
 * program that must print OK before the runner accepts the language.
 */
export const LANGUAGES_DIR = path.resolve(import.meta.dirname, "../../sandbox/languages");

const limitOverrides = z
  .object({
    cpuTimeMs: z.number().int().positive(),
    wallTimeMs: z.number().int().positive(),
    memoryMb: z.number().int().positive(),
    processes: z.number().int().positive(),
    outputKb: z.number().int().positive(),
  })
  .partial()
  .strict();

const languageSchema = z
  .object({
    language: z.string().regex(/^[a-z][a-z0-9+#-]*$/),
    aliases: z.array(z.string()).default([]),
    /** Shell command, run in the sandbox, that prints the version. */
    version: z.string().min(1),
    entryFile: z.string().min(1),
    /** Shell command that compiles everything in /work (absent: interpreted). */
    compile: z.string().min(1).optional(),
    /** Wall-time limit of the compile step, in seconds. */
    compileSeconds: z.number().int().positive().default(20),
    /**
     * What the compile step makes outside /work (absolute paths, files or folders): a grading
     * compiles once and packs these into a tar that every test's fresh sandbox unpacks instead
     * of compiling again (runner/grading/build.ts). Required with `compile` for grading.
     */
    artifacts: z
      .array(z.string().regex(/^\/(?:[A-Za-z0-9._-]+\/)*[A-Za-z0-9._-]+$/, "an absolute path of letters, digits, '.', '_' and '-'"))
      .optional(),
    /** Shell command that runs the program; "$SAM_ENTRY" is the entry file and "$@" the run's args. */
    run: z.string().min(1),
    limits: limitOverrides.default({}),
    test: z.object({ files: z.array(z.object({ name: z.string(), content: z.string() })).min(1), expect: z.string().default("OK") }),
    /** The hello-world project a new room in this language starts with; its first file is the entry file. */
    template: z.object({ files: z.array(z.object({ name: z.string(), content: z.string() })).min(1) }),
  })
  .strict();

export type LanguageDefinition = z.infer<typeof languageSchema>;

export function loadCatalogue(dir = LANGUAGES_DIR): LanguageDefinition[] {
  const languages = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const parsed = languageSchema.safeParse(JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")));
      if (!parsed.success) throw new Error(`${f}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
      return parsed.data;
    });
  const names = new Map<string, string>();
  for (const l of languages) {
    for (const name of [l.language, ...l.aliases]) {
      if (names.has(name)) throw new Error(`language name "${name}" is used by both ${names.get(name)} and ${l.language}`);
      names.set(name, l.language);
    }
  }
  return languages;
}
