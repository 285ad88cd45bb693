import Link from "next/link";
import { notFound } from "next/navigation";
import { courseRole } from "@/lib/classroom/access";
import { canCourse } from "@/lib/classroom/roles";
import { requireUser } from "@/lib/auth/session";
import { isUuid } from "@/lib/http/ids";
import { web } from "@/lib/web/context";
import { TopBar } from "../../../_components/TopBar";
import { RegradePanel } from "../../../_components/gradebook/RegradePanel";
import styles from "../../../_components/gradebook/gradebook.module.css";

export const dynamic = "force-dynamic";

/** Re-grades of an assignment: teachers start, preview, apply or cancel them; TAs may look. */
export default async function RegradesPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/assignments/${id}/regrades`);
  const { db } = web();
  if (!isUuid(id)) notFound();
  const assignment = await db.assignment.findUnique({ where: { id }, select: { id: true, title: true, courseId: true, opensAt: true } });
  if (!assignment) notFound();
  const access = await courseRole(db, assignment.courseId, user.id);
  // Students see no re-grades (nor, before it opens, that the assignment exists).
  if (!access || (access.role === "student" && assignment.opensAt && assignment.opensAt > new Date())) notFound();
  if (!canCourse(access.role, "grade")) {
    return (
      <>
        <TopBar username={user.username} />
        <main className="workspace">
          <p className="notice" data-testid="regrades-refused">
            Only the course&apos;s teachers re-grade submissions. <Link href={`/assignments/${id}`}>Back to the assignment</Link>
          </p>
        </main>
      </>
    );
  }
  return (
    <>
      <TopBar username={user.username} />
      <main className={`workspace ${styles.page}`}>
        <div className={styles.bar}>
          <h1>Re-grade: {assignment.title}</h1>
          <Link href={`/assignments/${id}`}>Assignment</Link>
          <Link href={`/courses/${assignment.courseId}/gradebook`}>Gradebook</Link>
        </div>
        <RegradePanel assignmentId={assignment.id} courseId={assignment.courseId} canChange={canCourse(access.role, "author")} />
      </main>
    </>
  );
}
