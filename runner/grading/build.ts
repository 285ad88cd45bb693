import type { LanguageDefinition } from "../languages/catalogue";

/**
 * Build once, run every test fresh. A grading compiles the student's files
 * ONE time, in a sandbox of its own whose "program" is `tar` packing the
 * language's artifacts (e.g. /tmp/sam-program) to stdout; every test then
 * gets that tar at /sam/in/build.tar (read-only, SandboxRun.build) and the
 * launcher's compile step unpacks it instead of compiling. No launcher change
 * is needed: the pack and unpack commands take the places of the language's
 * run and compile commands (trusted text, built here from the catalogue,
 * never from user data). The compiler's markers and output flow exactly as
 * in a normal run, so a compile error is read the usual way.
 *
 * Why a tar and not a shared folder: every test's sandbox stays fresh, with
 * nothing shared that a run could write to; the build is made before any test
 * runs, so no test's data can be in it.
 */

/** How long unpacking a build may take in a test's sandbox (the launcher's compile step, seconds). */
export const UNPACK_SECONDS = 10;

/** The language, run so that its "program" packs the compiled artifacts to stdout. */
export function packingLanguage(language: LanguageDefinition): LanguageDefinition {
  const paths = artifactsOf(language).map((p) => shellQuote(p.slice(1)));
  return { ...language, run: `exec tar -cf - -C / -- ${paths.join(" ")}` };
}

/** The language, run from an unpacked build (no compiling), optionally with another run command. */
export function unpackingLanguage(language: LanguageDefinition, command?: string): LanguageDefinition {
  return {
    ...language,
    compile: "tar -xf /sam/in/build.tar -C / --no-same-owner --no-same-permissions",
    compileSeconds: UNPACK_SECONDS,
    run: command ?? language.run,
  };
}

/** The language as it is, or with another run command (interpreted languages, or compiling in the run itself). */
export function commandLanguage(language: LanguageDefinition, command?: string): LanguageDefinition {
  return command ? { ...language, run: command } : language;
}

export function artifactsOf(language: LanguageDefinition): string[] {
  if (!language.compile) return [];
  if (!language.artifacts?.length)
    throw new Error(`the language ${language.language} compiles but names no artifacts (sandbox/languages/${language.language}.json)`);
  return language.artifacts;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
