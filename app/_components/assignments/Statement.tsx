import Markdown from "react-markdown";
import styles from "./assignments.module.css";

/**
 * The statement rendered from Markdown. react-markdown builds React elements
 * from the Markdown syntax tree and leaves raw HTML out (no rehype-raw), and
 * its default URL filter drops javascript: and other unsafe links, so a
 * statement cannot run script in a student's page.
 */
export function Statement({ markdown }: { markdown: string }) {
  if (!markdown.trim()) return <p className="muted">No statement.</p>;
  return (
    <div className={styles.statement} data-testid="assignment-statement-rendered">
      <Markdown skipHtml>{markdown}</Markdown>
    </div>
  );
}
