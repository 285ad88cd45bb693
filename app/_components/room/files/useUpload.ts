"use client";

import { useCallback, useState } from "react";
import type * as Y from "yjs";
import { ROOM_FILE_LIMITS } from "@/lib/rooms/archive/limits";
import { applyUpload, planUpload, type Refusal, type UploadPlan } from "@/lib/rooms/archive/upload-plan";
import type { Collected } from "./collect-upload";

export interface UploadState {
  /** Reading and checking the files. */
  busy: boolean;
  /** Files whose path exists: waiting for Replace, Skip or Cancel. */
  question?: UploadPlan;
  /** What was done, e.g. "Uploaded 3 files." */
  done?: string;
  refused: Refusal[];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * An upload into the room's tree: the files are checked one by one
 * (lib/rooms/archive/upload-plan.ts) before anything changes; when some would
 * replace files of the same path, the person is asked first (Replace them,
 * Skip them, or Cancel everything). What is refused is listed with the reason.
 */
export function useUpload(doc: Y.Doc) {
  const [state, setState] = useState<UploadState>({ busy: false, refused: [] });

  const finish = useCallback(
    (plan: UploadPlan, replace: boolean) => {
      const count = applyUpload(doc, plan, replace);
      const skipped = replace ? 0 : plan.replace.length;
      const done = `Uploaded ${plural(count, "file")}${skipped ? `; kept ${plural(skipped, "existing file")} as they were` : ""}.`;
      setState({ busy: false, done, refused: plan.refused });
    },
    [doc],
  );

  const upload = useCallback(
    async (collect: () => Promise<Collected>) => {
      setState({ busy: true, refused: [] });
      try {
        const { candidates, truncated } = await collect();
        const plan = await planUpload(doc, candidates);
        if (truncated) {
          plan.refused.push({ path: "…", reason: `only the first ${ROOM_FILE_LIMITS.scanFiles} files were looked at: too many files in one upload` });
        }
        if (plan.replace.length > 0) setState({ busy: false, question: plan, refused: plan.refused });
        else finish(plan, false);
      } catch (err) {
        setState({ busy: false, refused: [{ path: "", reason: `the files could not be read (${(err as Error).message})` }] });
      }
    },
    [doc, finish],
  );

  const answer = useCallback(
    (choice: "replace" | "skip" | "cancel") => {
      const plan = state.question;
      if (!plan) return;
      if (choice === "cancel") setState({ busy: false, done: "Upload cancelled; nothing changed.", refused: [] });
      else finish(plan, choice === "replace");
    },
    [state.question, finish],
  );

  const dismiss = useCallback(() => setState({ busy: false, refused: [] }), []);
  return { state, upload, answer, dismiss };
}
