import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { inspectDeadLetter } from "@/lib/admin/dead-letters";
import { pageAdmin } from "@/lib/admin/require-admin";
import { adminDeps } from "@/lib/admin/web";
import { isUuid } from "@/lib/http/ids";
import { isApiError } from "@/lib/http/errors";
import { TopBar } from "../../../_components/TopBar";
import { AdminRefused } from "../../../_components/admin/AdminRefused";
import { DeadLetterActions } from "../../../_components/admin/DeadLetterActions";

/** One dead letter: every attempt's reason, what its owner sees, and replay / discard. Admins only. */
export default async function DeadLetterPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const who = await pageAdmin();
  if (!who) redirect(`/signin?callbackUrl=${encodeURIComponent(`/admin/dead-letters/${id}`)}`);
  if (!who.admin) {
    return (
      <>
        <TopBar username={who.user.username} />
        <AdminRefused />
      </>
    );
  }
  if (!isUuid(id)) notFound();
  const letter = await inspectDeadLetter(adminDeps().db, id).catch((err) => {
    if (isApiError(err) && err.status === 404) notFound();
    throw err;
  });
  return (
    <>
      <TopBar username={who.user.username} />
      <main className="workspace admin" data-testid="dead-letter-page">
        <p>
          <Link href="/admin">← Operations</Link>
        </p>
        <h1>Dead letter {letter.executionId}</h1>
        <p>
          <span className="tag">{letter.kind}</span> {letter.reason}
        </p>
        <p className="muted">
          {letter.owner.username} · {letter.language} {letter.version} · {letter.attempts} attempts · {letter.replays} earlier replays
        </p>
        <p>
          Its owner sees: <strong>{letter.execution.status}</strong> — {letter.execution.error ?? ""}
        </p>
        <DeadLetterActions executionId={letter.executionId} afterDiscard="/admin" />
        <h2>History</h2>
        <table className="admin-table" data-testid="dead-letter-history">
          <thead>
            <tr>
              <th>at</th>
              <th>kind</th>
              <th>reason</th>
            </tr>
          </thead>
          <tbody>
            {letter.history.map((a, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a server-rendered list that never reorders.
              <tr key={i}>
                <td>{a.at}</td>
                <td>{a.kind}</td>
                <td>{a.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </main>
    </>
  );
}
