import Link from "next/link";
import { requireUser } from "@/lib/auth/session";
import { requireAssignmentAccess } from "@/lib/classroom/access";
import { isStaff } from "@/lib/classroom/roles";
import { orNotFound } from "@/lib/classroom/submissions/pages";
import { allowanceView, POLICY_FIELDS } from "@/lib/classroom/submissions/policy";
import { listSubmissions } from "@/lib/classroom/submissions/queries";
import { isUuid } from "@/lib/http/ids";
import { web } from "@/lib/web/context";
import { TopBar } from "../../../_components/TopBar";
import styles from "../../../_components/classroom/classroom.module.css";

const when = (d: string) => `${d.slice(0, 16).replace("T", " ")} UTC`;

/**
 * An assignment's submissions: a student's own (with scores, late flags and
 * how many are left); for staff every student's, or one student's with
 * ?userId= (the link from a student's room).
 */
export default async function SubmissionsPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ userId?: string }> }) {
  const { id } = await params;
  const { userId } = await searchParams;
  const user = await requireUser(`/assignments/${id}/submissions`);
  const { db } = web();
  const access = await orNotFound(requireAssignmentAccess(db, id, user.id, "read"));
  const staff = isStaff(access.role);
  const whose = staff ? (userId && isUuid(userId) ? userId : undefined) : user.id;
  const assignment = await db.assignment.findUniqueOrThrow({ where: { id }, select: { ...POLICY_FIELDS, title: true } });
  const [rows, allowance] = await Promise.all([listSubmissions(db, assignment, whose), whose ? allowanceView(db, assignment, whose) : null]);
  return (
    <>
      <TopBar username={user.username} />
      <main className={styles.page} data-testid="submissions-page">
        <p>
          {/* The assignment's page is another part's; not prefetched, as from the room's panel. */}
          <Link href={`/assignments/${id}`} prefetch={false}>
            ← {assignment.title}
          </Link>
        </p>
        <h1>{staff ? (whose ? `Submissions of ${rows[0]?.user.username ?? "this student"}` : "All submissions") : "My submissions"}</h1>
        {staff && whose && <Link href={`/assignments/${id}/submissions`}>Show every student</Link>}
        {allowance && allowance.kind !== "none" && (
          <p data-testid="allowance">
            {allowance.available} of {allowance.limit} submissions left
            {allowance.kind === "budget" && allowance.nextAt ? `; the next comes back at ${when(allowance.nextAt)}` : ""}
          </p>
        )}
        {rows.length === 0 ? (
          <p className="muted">No submissions yet.</p>
        ) : (
          <table className={styles.table} data-testid="submissions">
            <thead>
              <tr>
                {staff && <th>Student</th>}
                <th>#</th>
                <th>Submitted</th>
                <th>Score</th>
                <th>Late</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.id}>
                  {staff && <td>{s.user.username}</td>}
                  <td>
                    <Link href={`/submissions/${s.id}`}>#{s.number}</Link>
                  </td>
                  <td>{when(s.createdAt)}</td>
                  <td>
                    {s.score !== null ? `${s.score} / ${s.maxScore}` : s.status === "failed" ? "not graded" : "grading…"}
                    {s.overridden ? " (overridden)" : ""}
                  </td>
                  <td>{s.late ? `${s.daysLate} day${s.daysLate === 1 ? "" : "s"} late` : "on time"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </main>
    </>
  );
}
