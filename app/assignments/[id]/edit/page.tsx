import Link from "next/link";
import { notFound } from "next/navigation";
import { requireUser } from "@/lib/auth/session";
import { requireAssignmentAccess } from "@/lib/classroom/access";
import { loadTests } from "@/lib/classroom/assignments/tests-store";
import { availableRuntimes } from "@/lib/executions/runtimes";
import { web } from "@/lib/web/context";
import { TopBar } from "../../../_components/TopBar";
import { AssignmentEditor, type EditableAssignment } from "../../../_components/assignments/AssignmentEditor";

/** The teacher's editor of an assignment and its tests. Teaching assistants and students are told they cannot; others get 404. */
export default async function EditAssignmentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requireUser(`/assignments/${id}/edit`);
  const { db, redis } = web();
  const access = await requireAssignmentAccess(db, id, user.id, "read").catch(() => undefined);
  const assignment = access && (await db.assignment.findUnique({ where: { id } }));
  if (!access || !assignment) notFound();
  if (access.role !== "teacher") {
    return (
      <>
        <TopBar username={user.username} />
        <main className="workspace">
          <p className="error" role="alert" data-testid="edit-refused">
            Only the course&apos;s teachers edit assignments.{" "}
            <Link prefetch={false} href={`/assignments/${id}`}>
              Back to the assignment
            </Link>
          </p>
        </main>
      </>
    );
  }
  const [tests, runtimes] = await Promise.all([loadTests(db, id), availableRuntimes(redis).catch(() => [])]);
  const editable = JSON.parse(JSON.stringify({ ...assignment, tests })) as EditableAssignment;
  return (
    <>
      <TopBar username={user.username} />
      <main className="workspace" data-testid="edit-assignment-page">
        <p className="muted">
          <Link prefetch={false} href={`/courses/${access.course.id}`}>
            {access.course.name}
          </Link>{" "}
          /{" "}
          <Link prefetch={false} href={`/assignments/${id}`}>
            {assignment.title}
          </Link>
        </p>
        <h1>Edit the assignment</h1>
        <AssignmentEditor courseId={access.course.id} assignment={editable} languages={runtimes.map((r) => r.language)} />
      </main>
    </>
  );
}
