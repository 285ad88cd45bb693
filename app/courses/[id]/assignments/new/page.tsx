import Link from "next/link";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth/session";
import { courseRole } from "@/lib/classroom/access";
import { availableRuntimes } from "@/lib/executions/runtimes";
import { web } from "@/lib/web/context";
import { TopBar } from "../../../../_components/TopBar";
import { AssignmentEditor } from "../../../../_components/assignments/AssignmentEditor";

/** A new assignment of the course (its teachers only; non-members get 404, as for no course). */
export default async function NewAssignmentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/courses/${id}/assignments/new`);
  const { db, redis } = web();
  const access = await courseRole(db, id, user.id);
  if (!access) notFound();
  const runtimes = await availableRuntimes(redis).catch(() => []);
  return (
    <>
      <TopBar username={user.username} />
      <main className="workspace" data-testid="new-assignment-page">
        <p className="muted">
          <Link prefetch={false} href={`/courses/${id}`}>
            {access.course.name}
          </Link>
        </p>
        <h1>New assignment</h1>
        {access.role === "teacher" ? (
          <AssignmentEditor courseId={id} languages={runtimes.map((r) => r.language)} />
        ) : (
          <p className="error" role="alert">
            Only the course&apos;s teachers create assignments.
          </p>
        )}
      </main>
    </>
  );
}
