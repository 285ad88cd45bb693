import Link from "next/link";
import { redirect } from "next/navigation";
import { listDeadLetters } from "@/lib/admin/dead-letters";
import { queueOverview } from "@/lib/admin/queue-overview";
import { pageAdmin } from "@/lib/admin/require-admin";
import { adminDeps } from "@/lib/admin/web";
import { TopBar } from "../_components/TopBar";
import { AdminRefused } from "../_components/admin/AdminRefused";
import { DeadLetterActions } from "../_components/admin/DeadLetterActions";

const when = (iso: string | null) => (iso ? new Date(iso).toISOString().replace("T", " ").slice(0, 19) + " UTC" : "—");

/**
 * The operator's view of the execution queue: counts per state and work
 * class, the oldest waiting run, runners alive, recent failures, the
 * autoscaler's decisions and the dead letters. Rendered on the server for
 * admins only; the role is read from the database on every request.
 */
export default async function AdminPage() {
  const who = await pageAdmin();
  if (!who) redirect(`/signin?callbackUrl=${encodeURIComponent("/admin")}`);
  if (!who.admin) {
    return (
      <>
        <TopBar username={who.user.username} admin={who.admin} />
        <AdminRefused />
      </>
    );
  }
  const deps = adminDeps();
  const [q, letters] = await Promise.all([queueOverview(deps), listDeadLetters(deps.db, 50)]);
  return (
    <>
      <TopBar username={who.user.username} admin={who.admin} />
      <main className="workspace admin" data-testid="admin-page">
        <h1>Operations</h1>
        <p className="muted">As of {when(q.at)}. Reload for fresh figures.</p>

        <section aria-labelledby="queue">
          <h2 id="queue">Queue</h2>
          <table className="admin-table" data-testid="queue-counts">
            <thead>
              <tr>
                <th>waiting</th>
                <th>of which prioritized</th>
                <th>delayed</th>
                <th>active</th>
                <th>failed (kept)</th>
                <th>completed (kept)</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>{q.counts.waiting}</td>
                <td>{q.counts.prioritized}</td>
                <td>{q.counts.delayed}</td>
                <td>{q.counts.active}</td>
                <td>{q.counts.failed}</td>
                <td>{q.counts.completed}</td>
              </tr>
            </tbody>
          </table>
          <h3>By class</h3>
          <table className="admin-table" data-testid="queue-classes">
            <thead>
              <tr>
                <th>class</th>
                <th>waiting</th>
                <th>delayed</th>
                <th>active</th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(q.byClass).map(([c, n]) => (
                <tr key={c} data-testid={`class-${c}`}>
                  <td>{c}</td>
                  <td>{n.waiting}</td>
                  <td>{n.delayed}</td>
                  <td>{n.active}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {q.sampled && <p className="muted">Per-class figures count the first jobs of each state only; the totals above are exact.</p>}
          <p data-testid="oldest-waiting">
            Oldest waiting:{" "}
            {q.oldestWaiting ? `${q.oldestWaiting.executionId}, waiting ${q.oldestWaiting.seconds} s (since ${when(q.oldestWaiting.since)})` : "none"}
          </p>
        </section>

        <section aria-labelledby="runners">
          <h2 id="runners">Runners alive ({q.runners.length})</h2>
          <table className="admin-table" data-testid="runners">
            <thead>
              <tr>
                <th>runner</th>
                <th>driver</th>
                <th>concurrency</th>
                <th>running now</th>
                <th>last heartbeat</th>
              </tr>
            </thead>
            <tbody>
              {q.runners.map((r) => (
                <tr key={r.id}>
                  <td>{r.id}</td>
                  <td>{r.driver ?? "—"}</td>
                  <td>{r.concurrency ?? "—"}</td>
                  <td>{r.running.length ? r.running.join(", ") : "idle"}</td>
                  <td>{when(r.lastBeat)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>

        <section aria-labelledby="autoscaler">
          <h2 id="autoscaler">Autoscaler</h2>
          {q.autoscaler.length === 0 ? (
            <p className="muted">No decisions recorded (the autoscaler is off, or has not decided yet).</p>
          ) : (
            <table className="admin-table" data-testid="autoscaler">
              <thead>
                <tr>
                  <th>at</th>
                  <th>action</th>
                  <th>runners</th>
                  <th>target</th>
                  <th>reason</th>
                </tr>
              </thead>
              <tbody>
                {q.autoscaler.map((d, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a server-rendered list that never reorders.
                  <tr key={`${d.at}-${i}`}>
                    <td>{when(d.at)}</td>
                    <td>{d.action}</td>
                    <td>{d.runners}</td>
                    <td>{d.target}</td>
                    <td>{d.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        <section aria-labelledby="dead-letters">
          <h2 id="dead-letters">Dead letters ({letters.total})</h2>
          {letters.deadLetters.length === 0 ? (
            <p className="muted">None: no run was given up on.</p>
          ) : (
            <ul className="room-list" data-testid="dead-letters">
              {letters.deadLetters.map((d) => (
                <li key={d.executionId} data-testid={`dead-letter-${d.executionId}`}>
                  <Link href={`/admin/dead-letters/${d.executionId}`}>{d.executionId}</Link>
                  <span className="tag">{d.kind}</span>
                  <span className="muted">
                    {d.owner.username} · {d.language} {d.version} · {d.attempts} {d.attempts === 1 ? "attempt" : "attempts"} · {when(d.deadAt)}
                  </span>
                  <span className="muted">{d.reason}</span>
                  <DeadLetterActions executionId={d.executionId} />
                </li>
              ))}
            </ul>
          )}
        </section>

        <section aria-labelledby="failures">
          <h2 id="failures">Recent failures</h2>
          {q.recentFailures.length === 0 ? (
            <p className="muted">None kept.</p>
          ) : (
            <table className="admin-table" data-testid="recent-failures">
              <thead>
                <tr>
                  <th>execution</th>
                  <th>failed at</th>
                  <th>attempts</th>
                  <th>reason</th>
                </tr>
              </thead>
              <tbody>
                {q.recentFailures.map((f) => (
                  <tr key={f.executionId}>
                    <td>{f.executionId}</td>
                    <td>{when(f.failedAt)}</td>
                    <td>{f.attemptsMade}</td>
                    <td>{f.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </main>
    </>
  );
}
