import { z } from "zod";
import { displayTextProblem } from "../../http/text";
import { pathProblem } from "../../rooms/tree";
import { ROOM_DOCUMENT_LIMITS } from "../../rooms/document";
import { TEST_LIMITS, testLimitsSchema, testSchema } from "../tests/spec";

/**
 * What a teacher sends to create or change an assignment, and to replace its
 * tests. Every field is bounded; the checks that need the server (the
 * language a runner offers, the limits' configured maximum) are in checks.ts.
 */
export const ASSIGNMENT_LIMITS = {
  titleLength: 200,
  /** The statement's Markdown, in characters. */
  statementLength: 100_000,
  /** Starter files: what a room may hold, each at most a test file's size, all together at most what one run takes. */
  starterFiles: ROOM_DOCUMENT_LIMITS.files,
  starterFileBytes: TEST_LIMITS.maxFileBytes,
  starterTotalBytes: 1024 * 1024,
  /** A JSON body of an assignment (starter files included). */
  bodyBytes: 2 * 1024 * 1024,
  /** A PUT of the tests or an import (JSON or zip): room for many tests of some size, not for any size. */
  testsBodyBytes: 16 * 1024 * 1024,
  /** Refill period of a submission budget: at most a year. */
  refillMinutes: 525_600,
  submissionLimit: 10_000,
};

const title = z
  .string({ error: "title is required (a string)" })
  .trim()
  .min(1, "title must not be empty")
  .max(ASSIGNMENT_LIMITS.titleLength, `title must be at most ${ASSIGNMENT_LIMITS.titleLength} characters`)
  .superRefine((t, ctx) => {
    const problem = displayTextProblem(t);
    if (problem) ctx.addIssue({ code: "custom", message: `title ${problem}` });
  });

const starterFile = z
  .object({
    name: z.string({ error: "each starter file needs a name" }).superRefine((name, ctx) => {
      const problem = pathProblem(name);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    content: z
      .string({ error: "each starter file needs content (a string)" })
      .refine(
        (c) => Buffer.byteLength(c) <= ASSIGNMENT_LIMITS.starterFileBytes,
        `each starter file must be at most ${ASSIGNMENT_LIMITS.starterFileBytes} bytes`,
      ),
  })
  .strict();

const starterFiles = z
  .array(starterFile, { error: "starterFiles must be a list of {name, content}" })
  .max(ASSIGNMENT_LIMITS.starterFiles, `at most ${ASSIGNMENT_LIMITS.starterFiles} starter files`)
  .superRefine((files, ctx) => {
    const names = new Set<string>();
    let total = 0;
    for (const f of files) {
      if (names.has(f.name)) ctx.addIssue({ code: "custom", message: `two starter files are named "${f.name}"` });
      names.add(f.name);
      total += Buffer.byteLength(f.content);
    }
    // A file used as a folder by another ("a" and "a/b.py") cannot both exist in a room.
    for (const n of names) {
      const parts = n.split("/");
      for (let i = 1; i < parts.length; i++) {
        const folder = parts.slice(0, i).join("/");
        if (names.has(folder)) ctx.addIssue({ code: "custom", message: `"${n}" uses the file "${folder}" as a folder` });
      }
    }
    if (total > ASSIGNMENT_LIMITS.starterTotalBytes) {
      ctx.addIssue({ code: "custom", message: `starter files must be at most ${ASSIGNMENT_LIMITS.starterTotalBytes} bytes in all (they are ${total})` });
    }
  });

const date = (field: string) => z.coerce.date({ error: `${field} must be a date (ISO 8601, e.g. 2026-12-01T23:59:00Z)` });

/** The fields every assignment has; all optional here, so PATCH can send any subset. */
const fields = {
  title,
  statement: z
    .string({ error: "statement must be a string (Markdown)" })
    .max(ASSIGNMENT_LIMITS.statementLength, `statement must be at most ${ASSIGNMENT_LIMITS.statementLength} characters`),
  language: z.string({ error: "language is required (see GET /api/v1/runtimes)" }).trim().min(1, "language is required").max(40),
  starterFiles,
  opensAt: date("opensAt").nullable(),
  dueAt: date("dueAt"),
  lateUntil: date("lateUntil").nullable(),
  latePenaltyPerDay: z
    .number({ error: "latePenaltyPerDay must be a number from 0 to 100 (percent per started day)" })
    .min(0, "latePenaltyPerDay must be from 0 to 100")
    .max(100, "latePenaltyPerDay must be from 0 to 100"),
  submissionLimit: z
    .number({ error: "submissionLimit must be a whole number of at least 1, or null for no limit" })
    .int("submissionLimit must be a whole number")
    .min(1, "submissionLimit must be at least 1 (null: no limit)")
    .max(ASSIGNMENT_LIMITS.submissionLimit, `submissionLimit must be at most ${ASSIGNMENT_LIMITS.submissionLimit}`)
    .nullable(),
  submissionRefillMinutes: z
    .number({ error: "submissionRefillMinutes must be a whole number of minutes, or null for a hard cap" })
    .int("submissionRefillMinutes must be a whole number")
    .min(1, "submissionRefillMinutes must be at least 1 (null: a hard cap)")
    .max(ASSIGNMENT_LIMITS.refillMinutes, `submissionRefillMinutes must be at most ${ASSIGNMENT_LIMITS.refillMinutes} (a year)`)
    .nullable(),
  hiddenFeedback: z.enum(["verdict", "nothing"], { error: 'hiddenFeedback must be "verdict" or "nothing"' }),
  limits: testLimitsSchema,
};

export type AssignmentFields = {
  title: string;
  statement: string;
  language: string;
  starterFiles: Array<{ name: string; content: string }>;
  opensAt: Date | null;
  dueAt: Date;
  lateUntil: Date | null;
  latePenaltyPerDay: number;
  submissionLimit: number | null;
  submissionRefillMinutes: number | null;
  hiddenFeedback: "verdict" | "nothing";
  limits: z.infer<typeof testLimitsSchema>;
};

/** The rules between fields, checked on the whole assignment (after a PATCH is merged into what is stored). */
export function assignmentRuleProblem(
  a: Pick<AssignmentFields, "opensAt" | "dueAt" | "lateUntil" | "submissionLimit" | "submissionRefillMinutes">,
): string | undefined {
  if (a.lateUntil && a.lateUntil < a.dueAt) return "lateUntil must be at or after dueAt (or null: nothing accepted after dueAt)";
  if (a.opensAt && a.opensAt > a.dueAt) return "opensAt must be at or before dueAt";
  if (a.submissionRefillMinutes !== null && a.submissionLimit === null) return "submissionRefillMinutes needs a submissionLimit (the budget that refills)";
  return undefined;
}

export const createAssignmentSchema = z
  .object({
    ...fields,
    statement: fields.statement.default(""),
    starterFiles: starterFiles.default([]),
    opensAt: fields.opensAt.default(null),
    lateUntil: fields.lateUntil.default(null),
    latePenaltyPerDay: fields.latePenaltyPerDay.default(0),
    submissionLimit: fields.submissionLimit.default(null),
    submissionRefillMinutes: fields.submissionRefillMinutes.default(null),
    hiddenFeedback: fields.hiddenFeedback.default("verdict"),
    limits: fields.limits.default({}),
  })
  .strict()
  .superRefine((a, ctx) => {
    const problem = assignmentRuleProblem(a);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

export const updateAssignmentSchema = z
  .object(fields)
  .partial()
  .strict()
  .refine((a) => Object.keys(a).length > 0, "send at least one field to change");
export type AssignmentUpdate = z.infer<typeof updateAssignmentSchema>;

/** PUT /api/v1/assignments/:id/tests: the whole list, in order. */
export const replaceTestsSchema = z
  .object({ tests: z.array(testSchema, { error: "tests must be a list of tests" }).max(TEST_LIMITS.maxTests, `at most ${TEST_LIMITS.maxTests} tests`) })
  .strict();

export const importModeSchema = z.object({
  mode: z.enum(["replace", "append"], { error: 'mode must be "replace" (the default) or "append"' }).default("replace"),
});
