import type { DiffPart } from "@/lib/classroom/submissions/diff";
import styles from "./classroom.module.css";

/** Expected against actual output, line runs marked: "-" expected but not printed, "+" printed instead. */
export function DiffView({ diff }: { diff: DiffPart[] }) {
  return (
    <pre className={styles.pre} data-testid="diff">
      {diff.map((part, i) => {
        const mark = part.kind === "expected" ? "- " : part.kind === "actual" ? "+ " : "  ";
        const lines = part.text.replace(/\n$/, "").split("\n");
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one diff never reorder
          <span key={i} className={styles[part.kind]} data-kind={part.kind}>
            {lines.map((line) => `${mark}${line}`).join("\n")}
            {"\n"}
          </span>
        );
      })}
    </pre>
  );
}
