import { z } from "zod";
import { ApiError } from "../http/errors";
import { inputBytes, isWellFormed, type Encoding } from "./encoding";
import { LIMIT_NAMES, limitAboveMaximum, type LimitPolicy, type RunLimits } from "./limits";
import { limitBelowMinimum } from "./limits";
import { API_WORK_CLASSES } from "./queue";

/**
 * POST /api/v1/executions: what a request may hold. Everything is checked here,
 * at the edge, so nothing malformed ever reaches a queue or a container.
 */
export const MAX_FILES = 100;
export const MAX_SOURCE_BYTES = 1024 * 1024;
export const MAX_STDIN_BYTES = 1024 * 1024;
export const MAX_ARGS = 100;
/** The whole JSON body: source and stdin at their maximum, plus room for escaping. */
export const MAX_BODY_BYTES = 3 * (MAX_SOURCE_BYTES + MAX_STDIN_BYTES);

/**
 * Linux counts names in bytes: each part of a path (between slashes) at most
 * NAME_MAX (255) bytes, and the whole path, as the sandbox opens it under
 * /work/, within PATH_MAX (4096 with its NUL). A name of 255 characters can
 * be far more bytes in UTF-8 ("é" is 2, "€" 3, an emoji 4), so both are
 * checked as bytes here, before the run is queued.
 */
export const NAME_MAX_BYTES = 255;
export const PATH_MAX_BYTES = 4096 - "/work/".length - 1;

export const fileNameSchema = z
  .string({ error: "each file needs a name (a string)" })
  .min(1, "file names must not be empty")
  .max(255, "file names must be at most 255 characters")
  .refine((n) => !n.includes("\0"), "file names must not contain NUL")
  .refine(isWellFormed, "file names must be whole Unicode characters (no lone surrogates)")
  .refine((n) => !n.includes("\\"), "file names must not contain a backslash; use / between folders")
  .refine((n) => !n.startsWith("/"), "file names must be relative (no leading /)")
  .refine((n) => !n.split("/").some((part) => part === ".." || part === "." || part === ""), "file names must not contain '..', '.' or empty parts")
  .superRefine((name, ctx) => {
    const part = name.split("/").find((p) => Buffer.byteLength(p) > NAME_MAX_BYTES);
    if (part !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `each part of a file name (between slashes) must be at most ${NAME_MAX_BYTES} bytes in UTF-8; "${Array.from(part).slice(0, 20).join("")}…" is ${Buffer.byteLength(part)} bytes (letters outside ASCII take 2 to 4 bytes each)`,
      });
    } else if (Buffer.byteLength(name) > PATH_MAX_BYTES) {
      ctx.addIssue({ code: "custom", message: `file names must be at most ${PATH_MAX_BYTES} bytes in UTF-8` });
    }
  });

/** Program arguments: stored as JSON and passed to exec, so no NUL and no lone surrogates (neither has a form there). */
export const argsSchema = z
  .array(
    z
      .string({ error: "args must be strings" })
      .max(4096, "each arg must be at most 4096 characters")
      .refine((a) => !a.includes("\0"), "args must not contain NUL")
      .refine(isWellFormed, "args must be whole Unicode characters (no lone surrogates)"),
  )
  .max(MAX_ARGS, `at most ${MAX_ARGS} args`);

const limitValue = z.number({ error: "limits must be numbers" }).int("limits must be whole numbers").positive("limits must be greater than 0");

export const executionRequestSchema = z
  .object({
    language: z.string({ error: "language is required (see GET /api/v1/runtimes)" }).min(1, "language is required"),
    files: z
      .array(z.object({ name: fileNameSchema, content: z.string({ error: "each file needs content (a string)" }) }).strict(), {
        error: "files must be a list of {name, content}",
      })
      .min(1, "files must hold at least one file (the first is the entry point)")
      .max(MAX_FILES, `at most ${MAX_FILES} files`),
    stdin: z.string({ error: "stdin must be a string" }).optional(),
    args: argsSchema.optional(),
    limits: z
      .object(Object.fromEntries(LIMIT_NAMES.map((n) => [n, limitValue.optional()])))
      .strict()
      .optional(),
    /** Queue class (queue.ts): "api" (the default) or "batch" for bulk work, served after everything else. */
    workClass: z
      .enum(API_WORK_CLASSES, { error: `workClass must be ${API_WORK_CLASSES.map((c) => `"${c}"`).join(" or ")} (only a room's runs are interactive)` })
      .optional(),
  })
  .strict();

export type ExecutionRequest = z.infer<typeof executionRequestSchema>;

/** A run's files and stdin as bytes (see encoding.ts), with the rest of the request. */
export interface RunInput {
  files: Array<{ name: string; content: Buffer }>;
  stdin: Buffer;
  args?: string[];
  limits?: ExecutionRequest["limits"];
}

/** Undoes the request's encoding: file contents and stdin become the bytes the program gets. */
export function decodeRunInput(
  request: { files: Array<{ name: string; content: string }>; stdin?: string; args?: string[]; limits?: ExecutionRequest["limits"] },
  encoding: Encoding,
): RunInput {
  return {
    files: request.files.map((f, i) => ({ name: f.name, content: inputBytes(f.content, encoding, `files[${i}].content`) })),
    stdin: inputBytes(request.stdin ?? "", encoding, "stdin"),
    args: request.args,
    limits: request.limits,
  };
}

/** Checks that need more than one field or a configured value; throws a 4xx ApiError. */
export function checkExecutionRequest(request: Pick<RunInput, "files" | "limits"> & { stdin?: string | Uint8Array }, policy: LimitPolicy): void {
  const names = new Set<string>();
  for (const f of request.files) {
    if (names.has(f.name)) throw new ApiError(400, "duplicate_file", `Two files are named "${f.name}"; names must be unique.`);
    names.add(f.name);
  }
  checkPathConflicts(names);
  const sourceBytes = request.files.reduce((sum, f) => sum + Buffer.byteLength(f.content), 0);
  if (sourceBytes > MAX_SOURCE_BYTES) {
    throw new ApiError(413, "source_too_large", `The files hold ${sourceBytes} bytes; the most is ${MAX_SOURCE_BYTES} (1 MiB).`);
  }
  const stdinBytes = Buffer.byteLength(request.stdin ?? "");
  if (stdinBytes > MAX_STDIN_BYTES) {
    throw new ApiError(413, "stdin_too_large", `stdin holds ${stdinBytes} bytes; the most is ${MAX_STDIN_BYTES} (1 MiB).`);
  }
  const over = limitAboveMaximum(policy, (request.limits ?? {}) as Partial<RunLimits>);
  if (over) throw new ApiError(400, "limit_too_high", `${over}.`);
  const under = limitBelowMinimum((request.limits ?? {}) as Partial<RunLimits>);
  if (under) throw new ApiError(400, "limit_too_low", `${under}.`);
}

/**
 * A file cannot also be a folder: "a" and "a/b" (or "a/b" and "a/b/c") cannot
 * both be written, so such a request is refused here, before it is queued.
 */
function checkPathConflicts(names: Set<string>): void {
  for (const name of names) {
    const parts = name.split("/");
    for (let i = 1; i < parts.length; i++) {
      const folder = parts.slice(0, i).join("/");
      if (names.has(folder)) {
        throw new ApiError(400, "path_conflict", `"${folder}" is a file, so "${name}" cannot be inside it as in a folder; rename one of them.`);
      }
    }
  }
}
