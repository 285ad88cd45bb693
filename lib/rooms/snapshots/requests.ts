import { z } from "zod";
import { displayTextProblem } from "../../http/text";
import { MAX_SNAPSHOT_NAME } from "./limits";

/** POST /api/v1/rooms/:id/snapshots {name}. */
export const createSnapshotSchema = z
  .object({
    name: z
      .string({ error: "name is required (a string): what to call the snapshot" })
      .trim()
      .min(1, "name must not be empty")
      .max(MAX_SNAPSHOT_NAME, `name must be at most ${MAX_SNAPSHOT_NAME} characters`)
      .superRefine((n, ctx) => {
        const problem = displayTextProblem(n);
        if (problem) ctx.addIssue({ code: "custom", message: `name ${problem}` });
      }),
  })
  .strict();
