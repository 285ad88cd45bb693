import { z } from "zod";
import { ApiError } from "../http/errors";
import { LIMIT_NAMES, limitAboveMaximum, type LimitPolicy, type RunLimits } from "./limits";
import { limitBelowMinimum } from "./limits";

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

export const fileNameSchema = z
  .string({ error: "each file needs a name (a string)" })
  .min(1, "file names must not be empty")
  .max(255, "file names must be at most 255 characters")
  .refine((n) => !n.includes("\0"), "file names must not contain NUL")
  .refine((n) => !n.includes("\\"), "file names must not contain a backslash; use / between folders")
  .refine((n) => !n.startsWith("/"), "file names must be relative (no leading /)")
  .refine((n) => !n.split("/").some((part) => part === ".." || part === "." || part === ""), "file names must not contain '..', '.' or empty parts");

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
    args: z
      .array(z.string({ error: "args must be strings" }).max(4096, "each arg must be at most 4096 characters").refine((a) => !a.includes("\0"), "args must not contain NUL"))
      .max(MAX_ARGS, `at most ${MAX_ARGS} args`)
      .optional(),
    limits: z.object(Object.fromEntries(LIMIT_NAMES.map((n) => [n, limitValue.optional()]))).strict().optional(),
  })
  .strict();

export type ExecutionRequest = z.infer<typeof executionRequestSchema>;

/** Checks that need more than one field or a configured value; throws a 4xx ApiError. */
export function checkExecutionRequest(request: ExecutionRequest, policy: LimitPolicy): void {
  const names = new Set<string>();
  for (const f of request.files) {
    if (names.has(f.name)) throw new ApiError(400, "duplicate_file", `Two files are named "${f.name}"; names must be unique.`);
    names.add(f.name);
  }
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
