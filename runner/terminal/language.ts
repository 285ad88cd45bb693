import fs from "node:fs";
import path from "node:path";
import type { LanguageDefinition } from "../languages/catalogue";

/**
 * A room terminal runs through the same launcher as a run (sandbox/images/runtime/sam-run):
 * the room's files are copied into /work, and the "run" command, trusted data like a
 * language's, starts the pseudo-terminal wrapper (pty-wrapper.py) under python3,
 * which the runtime image has for Python anyway. The wrapper travels in the command
 * itself (base64: no quoting to get wrong), so the image needs no change.
 */
const WRAPPER = fs.readFileSync(path.join(import.meta.dirname, "pty-wrapper.py"));
const RUN = `exec /usr/bin/python3 -I -c 'import base64; exec(base64.b64decode("${WRAPPER.toString("base64")}"))'`;

/** The room's language, with nothing to compile and the shell as its program. */
export function terminalLanguage(language: LanguageDefinition): LanguageDefinition {
  return { ...language, compile: undefined, artifacts: undefined, run: RUN };
}
