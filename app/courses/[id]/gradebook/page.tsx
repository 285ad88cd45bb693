import Link from "next/link";
import { notFound } from "next/navigation";
import { courseRole } from "@/lib/classroom/access";
import { loadGradebook } from "@/lib/classroom/gradebook/load";
import { canCourse } from "@/lib/classroom/roles";
import { requireUser } from "@/lib/auth/session";
import { web } from "@/lib/web/context";
import { TopBar } from "../../../_components/TopBar";
import { GradebookTable } from "../../../_components/gradebook/GradebookTable";
import styles from "../../../_components/gradebook/gradebook.module.css";

export const dynamic = "force-dynamic";

/**
 * The teacher's gradebook: students x assignments, live. Staff only; a
 * non-member gets the same 404 as for no course, a student is told the
 * gradebook is not theirs.
 */
export default async function GradebookPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/courses/${id}/gradebook`);
  const { db } = web();
  const access = await courseRole(db, id, user.id);
  if (!access) notFound();
  if (!canCourse(access.role, "grade")) {
    return (
      <>
        <TopBar username={user.username} />
        <main className="workspace">
          <p className="notice" data-testid="gradebook-refused">
            Only the course&apos;s teachers and teaching assistants see the gradebook. <Link href={`/courses/${id}`}>Back to the course</Link>
          </p>
        </main>
      </>
    );
  }
  const gradebook = await loadGradebook(db, access.course);
  return (
    <>
      <TopBar username={user.username} />
      <main className={`workspace ${styles.page}`}>
        <div className={styles.bar}>
          <h1>Gradebook: {access.course.name}</h1>
          <Link href={`/courses/${id}`}>Course</Link>
        </div>
        <GradebookTable initial={gradebook} canRegrade={canCourse(access.role, "author")} />
      </main>
    </>
  );
}
